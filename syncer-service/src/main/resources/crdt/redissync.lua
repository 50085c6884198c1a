#!lua name=redissync
--[[
Convergent (CRDT) writes for the instances of an Active-Active database. Design note: CRDT.md in
syncer-service/src/main/java/org/redissync/syncer/crdt/. Loaded into each CRDB instance's redis-server by
its syncer-service; clients never call it themselves (the endpoint refuses FCALL/FUNCTION on a CRDB).

  FCALL redissync_cmd 0 <origin> <wall-ms> <db> <COMMAND> <args...>
      a client's write, with Redis's reply. Stamps it with the instance's hybrid logical clock, updates the key's
      CRDT state (database 15), writes the key's value (database <db>) and sends the new state to the replicas
      (the peers' channels) as one op record: SPUBLISH __redissync:op <msgpack>.
  FCALL redissync_merge 0 <op record> [unchecked]
      a peer's op record, applied by a channel: joined into the local state (skipped when the instance has
      already applied that origin's stamp, unless "unchecked"); nothing is sent on.
  FCALL redissync_tick 0 <origin> <wall-ms>
      an op record with no key: moves the peers' view of this instance's clock (tombstone collection).
  FCALL redissync_state 0 <db> <key>
      the key's CRDT state as canonical text (nil when none): equal states read the same on every instance.

Every data and state write is propagated to the append-only file only (REPL_AOF); the op record to replicas only.
So a channel never sees the raw effects, and what a channel applies is never sent on (no echo by construction).
]]

local META_DB = 15
local SHIFT = 1024                  -- an HLC value is wall-ms * SHIFT + logical
local CLOCK_KEY = '__redissync:clock'
local VV_KEY = '__redissync:vv'
local PEER_VVS_KEY = '__redissync:vvs'   -- peer -> its version vector, as its last tick said (msgpack)
local OP_CHANNEL = '__redissync:op'
local META_PREFIX = '__redissync:m:'
local MAX_EXACT = 9007199254740991  -- 2^53 - 1: counters are exact within +-MAX_EXACT

local E_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
local E_SYNTAX = 'ERR syntax error'
local E_NOT_INT = 'ERR value is not an integer or out of range'
local E_NOT_FLOAT = 'ERR value is not a valid float'
local E_OVERFLOW = 'ERR increment or decrement would overflow'

-- ---------------------------------------------------------------- numbers and stamps

local function fmt_int(n) return string.format('%.0f', n) end

-- Redis's integer syntax (string2ll): optional '-', no '+', no leading zeros, no spaces.
local function parse_int(s)
  if s == nil or not (string.match(s, '^-?[1-9]%d*$') or s == '0') then return nil end
  local n = tonumber(s)
  if n == nil or n > MAX_EXACT or n < -MAX_EXACT then return nil end
  return n
end

-- Redis's float syntax, roughly strtold without spaces, hex, inf or nan.
local function parse_float(s)
  if s == nil or #s == 0 or string.match(s, '[%s]') or string.match(s, '[xXnN]') then return nil end
  if not string.match(s, '^[-+]?%d*%.?%d*[eE]?[-+]?%d*$') then return nil end
  local n = tonumber(s)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end

-- A number as Redis shows it: integers plainly, others with 15 significant digits (Redis adds in long double and
-- prints 17 digits, so 0.1 + 0.2 is "0.3" there; doubles printed to 15 digits read the same for such sums).
local function fmt_num(n)
  if n == math.floor(n) and n <= MAX_EXACT and n >= -MAX_EXACT then return fmt_int(n) end
  local s = string.format('%.15g', n)
  if string.find(s, 'e', 1, true) and n == math.floor(n) then return string.format('%.0f', n) end
  return s
end

local function bytes_lt(a, b)
  local la, lb = #a, #b
  for i = 1, math.min(la, lb) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return la < lb
end

-- The total order of stamps: HLC value, then origin (bytewise). A stamp is {h, o}.
local function before(h1, o1, h2, o2)
  if h1 ~= h2 then return h1 < h2 end
  return bytes_lt(o1 or '', o2 or '')
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- ---------------------------------------------------------------- the instance's clock and version vector (db 15)

--[[
The clock lives in this library's memory (an upvalue: it survives between calls, not a restart or a FUNCTION LOAD).
It is written to CLOCK_KEY whenever it has moved more than a second past what was last written, and starts a second
past what was written when the library is loaded again: every stamp it gave was at most a second past what was
written, so it never goes back, whatever the wall clocks say. At the wall clock's pace that is one write a second
(reading and writing the key on every write cost a third of a write: two calls and an append-only file entry).
]]
local clock_last = nil
local clock_saved = 0
local AHEAD = 1000 * SHIFT

local function clock_init()
  if clock_last == nil then
    clock_saved = tonumber(redis.call('GET', CLOCK_KEY)) or 0
    clock_last = clock_saved + AHEAD
  end
end

local function clock_at_least(h)
  clock_last = h
  if h > clock_saved + AHEAD then
    redis.call('SET', CLOCK_KEY, fmt_int(h))
    clock_saved = h
  end
end

local function clock_tick(wall)
  clock_init()
  local h = math.max(wall * SHIFT, clock_last + 1)
  clock_at_least(h)
  return h
end

local function clock_observe(h)
  clock_init()
  if h > clock_last then clock_at_least(h) end
end

-- ---------------------------------------------------------------- key state (db 15)
--[[
A key's state is a product of one state per type, each joined on its own; the type a client sees is the one with the
latest type stamp. So a key that changes type at one instance while another still writes the old type converges:
the old type's state is kept (and joined) everywhere, only hidden.

  x, xh, xo   expire-at ms (0: none) and its stamp: a last-writer-wins register, for whichever type is seen
  ty          type -> {h, o}: the stamp of the write that last made that type anew ('s' string, 'h' hash, 'S' set,
              'Z' sorted set)
  s           the string: rh, ro  the register's stamp; d  true when it is a delete; v  its value;
              b  origin -> the counter total the register observed (reset by it);
              c  origin -> {h = stamp of that origin's last increment, n = its total}
  h           field -> a string's register and counters (without expiry): the string rules field by field
  S           member -> origin -> {a = that origin's last add, r = the last add of it a remove observed};
              a member is in the set while some origin's add is later than what removes observed (add wins)
  Z           member -> {p = presence as for a set member, and a register with counters for its score}

Stored as the hash __redissync:m:<db>:<key>: "k" (x, xh, xo, ty), "s" (the string), "h:<field>", "S:<member>", "Z:<member>"
(a command reads and writes only the members it touches). The string's value is left out of "s" when the key's value
in <db> equals it (the string is seen, no counters, no expiry, not deleted), so a plain SET does not store its value
twice. An op record carries "k", the string when the command touched it, and the members that changed.
]]

local TYPES = {'s', 'h', 'S', 'Z'}
local CONTAINERS = {'h', 'S', 'Z'}

local function meta_key(db, key) return META_PREFIX .. db .. ':' .. key end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, bytes_lt)
  return ks
end

local function expired(st, now) return st.x ~= 0 and st.x <= now end

-- The type a client sees: the one with the latest stamp (nil: none yet).
local function seen_type(st)
  local best, bh, bo = nil, nil, nil
  for _, t in ipairs(TYPES) do
    local s = st.ty[t]
    if s ~= nil and (best == nil or before(bh, bo, s.h, s.o)) then best, bh, bo = t, s.h, s.o end
  end
  return best
end

local function fresh_register() return {rh = 0, ro = '', d = true, b = {}, c = {}} end

local function normalized_register(r)
  r.b = r.b or {}
  r.c = r.c or {}
  return r
end

local function empty_state()
  return {x = 0, xh = 0, xo = '', ty = {}, m = {h = {}, S = {}, Z = {}}}
end

local function load(db, key)
  local raw = redis.call('HMGET', meta_key(db, key), 'k', 's')
  if not raw[1] then return nil end
  local st = cmsgpack.unpack(raw[1])
  st.ty = st.ty or {}
  st.m = {h = {}, S = {}, Z = {}}
  if raw[2] then
    st.s = normalized_register(cmsgpack.unpack(raw[2]))
    if not st.s.d and st.s.v == nil then
      redis.call('SELECT', db)
      st.s.v = redis.call('GET', key) or ''
      redis.call('SELECT', META_DB)
    end
  end
  st.t = seen_type(st)
  return st
end

local function member_state(t, raw)
  local ms = cmsgpack.unpack(raw)
  if t == 'h' or t == 'Z' then normalized_register(ms) end
  if t == 'Z' then ms.p = ms.p or {} end
  return ms
end

local function load_member(db, key, t, member)
  local raw = redis.call('HGET', meta_key(db, key), t .. ':' .. member)
  if not raw then return nil end
  return member_state(t, raw)
end

-- Every member of type t (a delete, an expiry or a type change touches them all).
local function load_all_members(db, key, st, t)
  local raw = redis.call('HGETALL', meta_key(db, key))
  local prefix = t .. ':'
  for i = 1, #raw, 2 do
    if string.sub(raw[i], 1, 2) == prefix then
      st.m[t][string.sub(raw[i], 3)] = member_state(t, raw[i + 1])
    end
  end
end

local function store(db, key, st)
  local mk = meta_key(db, key)
  redis.call('HSET', mk, 'k', cmsgpack.pack({x = st.x, xh = st.xh, xo = st.xo, ty = st.ty}))
  if st.s ~= nil then
    local s = st.s
    local keep_value = st.t ~= 's' or s.d or st.x ~= 0 or next(s.c) ~= nil
    local v = s.v
    if not keep_value then s.v = nil end
    redis.call('HSET', mk, 's', cmsgpack.pack(s))
    s.v = v
  end
  for _, t in ipairs(CONTAINERS) do
    for member, ms in pairs(st.m[t]) do redis.call('HSET', mk, t .. ':' .. member, cmsgpack.pack(ms)) end
  end
end

-- The increments a register has not observed, summed in a fixed order (floats add the same everywhere).
local function unobserved(r)
  local sum, any = 0, false
  for _, o in ipairs(sorted_keys(r.c)) do
    local delta = r.c[o].n - (r.b[o] or 0)
    if delta ~= 0 then sum = sum + delta; any = true end
  end
  return sum, any
end

-- A register's value, or nil. A non-numeric register wins over concurrent increments it did not observe.
local function register_value(r)
  if r == nil then return nil end
  local base = (not r.d) and r.v or nil
  local sum, any = unobserved(r)
  if not any then return base end
  if base == nil then return fmt_num(sum) end
  local n = parse_int(base) or parse_float(base)
  if n == nil then return base end
  return fmt_num(n + sum)
end

local function member_in(ms)
  for _, e in pairs(ms) do
    if e.a > e.r then return true end
  end
  return false
end

local function totals(r)
  local b = {}
  for o, e in pairs(r.c) do b[o] = e.n end
  return b
end

-- ---------------------------------------------------------------- join (the merge of two states)

local function join_register(a, s)
  if before(a.rh, a.ro, s.rh, s.ro) then
    a.rh, a.ro, a.d, a.v, a.b = s.rh, s.ro, s.d, s.v, s.b or {}
  end
  for o, e in pairs(s.c or {}) do
    local mine = a.c[o]
    if mine == nil or mine.h < e.h then a.c[o] = {h = e.h, n = e.n} end
  end
end

local function join_member(a, s)
  for o, e in pairs(s) do
    local mine = a[o]
    if mine == nil then a[o] = {a = e.a, r = e.r}
    else
      if e.a > mine.a then mine.a = e.a end
      if e.r > mine.r then mine.r = e.r end
    end
  end
end

-- join(a, s): the local state a (nil: none) and a peer's s, type by type. Commutative, associative and idempotent.
-- a.m gets the members s carries, joined with the local ones.
local function join(db, key, a, s)
  a = a or empty_state()
  for t, stamp in pairs(s.ty or {}) do
    local mine = a.ty[t]
    if mine == nil or before(mine.h, mine.o, stamp.h, stamp.o) then a.ty[t] = {h = stamp.h, o = stamp.o} end
  end
  if before(a.xh, a.xo, s.xh, s.xo) then a.x, a.xh, a.xo = s.x, s.xh, s.xo end
  if s.s ~= nil then
    if a.s == nil then a.s = normalized_register(s.s) else join_register(a.s, s.s) end
  end
  for member, sm in pairs(s.h or {}) do
    local mine = load_member(db, key, 'h', member)
    if mine == nil then a.m.h[member] = normalized_register(sm)
    else join_register(mine, sm); a.m.h[member] = mine end
  end
  for member, sm in pairs(s.S or {}) do
    local mine = load_member(db, key, 'S', member)
    if mine == nil then a.m.S[member] = sm
    else join_member(mine, sm); a.m.S[member] = mine end
  end
  for member, sm in pairs(s.Z or {}) do
    local mine = load_member(db, key, 'Z', member)
    normalized_register(sm)
    sm.p = sm.p or {}
    if mine == nil then a.m.Z[member] = sm
    else join_member(mine.p, sm.p); join_register(mine, sm); a.m.Z[member] = mine end
  end
  a.t = seen_type(a)
  return a
end

-- ---------------------------------------------------------------- writing a key's value (db <db>)

-- Writes what a client sees of the key. whole: the seen type changed (or the key came back from an expiry), so the
-- value is written from scratch; otherwise only the members in st.m.
local function materialize(db, key, st, now, whole)
  local t = st.t
  if whole and t ~= nil and t ~= 's' then load_all_members(db, key, st, t) end
  redis.call('SELECT', db)
  if t == nil or expired(st, now) then
    redis.call('DEL', key)
  elseif t == 's' then
    local v = register_value(st.s)
    if v == nil then redis.call('DEL', key)
    elseif st.x ~= 0 then redis.call('SET', key, v, 'PXAT', st.x)
    else redis.call('SET', key, v) end
  else
    if whole then redis.call('DEL', key) end
    for member, ms in pairs(st.m[t]) do
      if t == 'h' then
        local v = register_value(ms)
        if v == nil then redis.call('HDEL', key, member) else redis.call('HSET', key, member, v) end
      elseif t == 'Z' then
        if member_in(ms.p) then redis.call('ZADD', key, register_value(ms) or '0', member) else redis.call('ZREM', key, member) end
      elseif member_in(ms) then
        redis.call('SADD', key, member)
      else
        redis.call('SREM', key, member)
      end
    end
    if redis.call('EXISTS', key) == 1 then
      if st.x ~= 0 then redis.call('PEXPIREAT', key, st.x) else redis.call('PERSIST', key) end
    end
  end
  redis.call('SELECT', META_DB)
end

-- ---------------------------------------------------------------- a client's command

-- The context of one client command: its stamp, and the states it changed (sent as one op record).
local Ctx = {}
Ctx.__index = Ctx

local function new_ctx(origin, h, db, now)
  return setmetatable({o = origin, h = h, db = db, now = now, changed = {}, order = {}}, Ctx)
end

-- Deletes, at this command's stamp, everything the key holds as type t (every member of a hash or set is read).
function Ctx:delete_type(key, st, t)
  if t == 's' then
    local r = st.s
    if r ~= nil then r.rh, r.ro, r.d, r.v, r.b = self.h, self.o, true, nil, totals(r) end
    st.s_changed = true
    return
  end
  load_all_members(self.db, key, st, t)
  for _, ms in pairs(st.m[t]) do
    if t == 'h' then
      ms.rh, ms.ro, ms.d, ms.v, ms.b = self.h, self.o, true, nil, totals(ms)
    elseif t == 'Z' then
      for _, e in pairs(ms.p) do e.r = e.a end
    else
      for _, e in pairs(ms) do e.r = e.a end
    end
  end
end

-- Whether a client sees the key.
function Ctx:visible(key, st)
  if st == nil or st.t == nil or expired(st, self.now) then return false end
  if st.t == 's' then return register_value(st.s) ~= nil end
  redis.call('SELECT', self.db)
  local n = redis.call('EXISTS', key)
  redis.call('SELECT', META_DB)
  return n == 1
end

-- The key's state (an empty one when it has none). An expired key is deleted first, at this command's stamp.
function Ctx:state(key)
  local st = load(self.db, key)
  if st == nil then
    st = empty_state()
  elseif st.t ~= nil and expired(st, self.now) then
    self:delete_type(key, st, st.t)
    st.x, st.xh, st.xo = 0, self.h, self.o
  end
  st.t0 = st.t
  return st
end

-- The key's state for a write of type t, or nil and WRONGTYPE when a client sees another type (replace: the write
-- replaces it, as SET does). When the key is not seen as t, t is made anew: what it held as t before is deleted.
function Ctx:typed_state(key, t, replace)
  return self:as_type(key, self:state(key), t, replace)
end

function Ctx:as_type(key, st, t, replace)
  local seen = self:visible(key, st)
  if seen and st.t ~= t then
    if not replace then return nil, E_WRONGTYPE end
    self:delete_type(key, st, st.t)
  end
  if not seen or st.t ~= t then
    self:delete_type(key, st, t)
    st.ty[t] = {h = self.h, o = self.o}
    st.t = t
    if t == 's' then
      st.s = st.s or fresh_register()
      st.x, st.xh, st.xo = 0, self.h, self.o
    elseif st.x ~= 0 then
      st.x, st.xh, st.xo = 0, self.h, self.o
    end
  end
  return st
end

function Ctx:put(key, st)
  local before_this = self.changed[key]
  if before_this == nil then
    self.order[#self.order + 1] = key
  elseif before_this ~= st then
    -- the same key written twice by one command (MSET k a k b): the record carries the members both changed
    for _, t in ipairs(CONTAINERS) do
      for member, ms in pairs(before_this.m[t]) do
        if st.m[t][member] == nil then st.m[t][member] = ms end
      end
    end
  end
  self.changed[key] = st
  st.t = seen_type(st)
  store(self.db, key, st)
  materialize(self.db, key, st, self.now, st.t ~= st.t0)
end

-- The op record: for each key changed, its key state, its string when touched, and the members that changed.
function Ctx:publish()
  if #self.order == 0 then return end
  local entries = {}
  for i, key in ipairs(self.order) do
    local st = self.changed[key]
    local e = {x = st.x, xh = st.xh, xo = st.xo, ty = st.ty}
    if st.s ~= nil then e.s = st.s end
    if next(st.m.h) ~= nil then e.h = st.m.h end
    if next(st.m.S) ~= nil then e.S = st.m.S end
    if next(st.m.Z) ~= nil then e.Z = st.m.Z end
    entries[i] = {key, e}
  end
  redis.set_repl(redis.REPL_REPLICA) -- the command's last call: not switched back
  redis.call('SPUBLISH', OP_CHANNEL, cmsgpack.pack({o = self.o, h = self.h, db = self.db, e = entries}))
end

-- A register write of the key's string: value v (nil deletes), expire-at x (nil: none; false: keep the current one).
function Ctx:write_string(key, st, v, x)
  local r = st.s
  r.rh, r.ro, r.b = self.h, self.o, totals(r)
  r.d, r.v = v == nil, v
  if x ~= false then st.x, st.xh, st.xo = x or 0, self.h, self.o end
  self:put(key, st)
end

-- The value a client sees of the key's string (nil: none, or another type).
function Ctx:string_value(st)
  if st.t ~= 's' or expired(st, self.now) then return nil end
  return register_value(st.s)
end
local function upper(s) return string.upper(s) end

-- SET's options: returns nx, xx, get, expire-at (nil none, false KEEPTTL) or nil and an error.
local function set_options(args, first, now, cmd)
  local nx, xx, get, x = false, false, false, nil
  local seen_ttl = false
  local i = first
  while i <= #args do
    local a = upper(args[i])
    if a == 'NX' and not xx then nx = true
    elseif a == 'XX' and not nx then xx = true
    elseif a == 'GET' then get = true
    elseif a == 'KEEPTTL' and not seen_ttl then x = false; seen_ttl = true
    elseif (a == 'EX' or a == 'PX' or a == 'EXAT' or a == 'PXAT') and not seen_ttl and args[i + 1] ~= nil then
      local n = parse_int(args[i + 1])
      if n == nil then return nil, E_NOT_INT end
      if n <= 0 then return nil, "ERR invalid expire time in '" .. cmd .. "' command" end
      if a == 'EX' then x = now + n * 1000
      elseif a == 'PX' then x = now + n
      elseif a == 'EXAT' then x = n * 1000
      else x = n end
      seen_ttl = true
      i = i + 1
    else
      return nil, E_SYNTAX
    end
    i = i + 1
  end
  return {nx = nx, xx = xx, get = get, x = x}
end

local function arity(args, n, cmd, at_least)
  if (at_least and #args < n) or (not at_least and #args ~= n) then
    return "ERR wrong number of arguments for '" .. string.lower(cmd) .. "' command"
  end
  return nil
end

local commands = {}

commands.SET = function(c, args)
  local e = arity(args, 2, 'set', true); if e then return redis.error_reply(e) end
  local key, value = args[1], args[2]
  local opt, err = set_options(args, 3, c.now, 'set')
  if opt == nil then return redis.error_reply(err) end
  local st = c:state(key)
  local exists = c:visible(key, st)
  if opt.get and exists and st.t ~= 's' then return redis.error_reply(E_WRONGTYPE) end
  local reply = redis.status_reply('OK')
  if opt.get then reply = c:string_value(st) or false end
  if (opt.nx and exists) or (opt.xx and not exists) then
    if opt.get then return reply end
    return false
  end
  c:write_string(key, c:as_type(key, st, 's', true), value, opt.x)
  return reply
end

commands.SETNX = function(c, args)
  local e = arity(args, 2, 'setnx'); if e then return redis.error_reply(e) end
  local r = commands.SET(c, {args[1], args[2], 'NX'})
  if r == false then return 0 end
  return 1
end

local function setex(c, args, cmd, unit)
  local e = arity(args, 3, cmd); if e then return redis.error_reply(e) end
  local n = parse_int(args[2])
  if n == nil then return redis.error_reply(E_NOT_INT) end
  if n <= 0 then return redis.error_reply("ERR invalid expire time in '" .. cmd .. "' command") end
  c:write_string(args[1], c:typed_state(args[1], 's', true), args[3], c.now + n * unit)
  return redis.status_reply('OK')
end
commands.SETEX = function(c, args) return setex(c, args, 'setex', 1000) end
commands.PSETEX = function(c, args) return setex(c, args, 'psetex', 1) end

commands.GETSET = function(c, args)
  local e = arity(args, 2, 'getset'); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 's')
  if st == nil then return redis.error_reply(terr) end
  local old = c:string_value(st)
  c:write_string(args[1], st, args[2], nil)
  return old or false
end

commands.GETDEL = function(c, args)
  local e = arity(args, 1, 'getdel'); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  if not c:visible(args[1], st) then return false end
  if st.t ~= 's' then return redis.error_reply(E_WRONGTYPE) end
  local old = c:string_value(st)
  c:write_string(args[1], st, nil, 0)
  return old
end

commands.MSET = function(c, args)
  if #args == 0 or #args % 2 ~= 0 then return redis.error_reply("ERR wrong number of arguments for 'mset' command") end
  for i = 1, #args, 2 do
    c:write_string(args[i], c:typed_state(args[i], 's', true), args[i + 1], nil)
  end
  return redis.status_reply('OK')
end

commands.MSETNX = function(c, args)
  if #args == 0 or #args % 2 ~= 0 then return redis.error_reply("ERR wrong number of arguments for 'msetnx' command") end
  for i = 1, #args, 2 do
    if c:visible(args[i], c:state(args[i])) then return 0 end
  end
  commands.MSET(c, args)
  return 1
end

commands.APPEND = function(c, args)
  local e = arity(args, 2, 'append'); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 's')
  if st == nil then return redis.error_reply(terr) end
  local v = (c:string_value(st) or '') .. args[2]
  c:write_string(args[1], st, v, false)
  return #v
end

commands.SETRANGE = function(c, args)
  local e = arity(args, 3, 'setrange'); if e then return redis.error_reply(e) end
  local offset = parse_int(args[2])
  if offset == nil then return redis.error_reply(E_NOT_INT) end
  if offset < 0 then return redis.error_reply('ERR offset is out of range') end
  if offset + #args[3] > 512 * 1024 * 1024 then return redis.error_reply('ERR string exceeds maximum allowed size (proto-max-bulk-len)') end
  local st = c:state(args[1])
  if c:visible(args[1], st) and st.t ~= 's' then return redis.error_reply(E_WRONGTYPE) end
  local old = c:string_value(st)
  if #args[3] == 0 then return old and #old or 0 end
  st = c:as_type(args[1], st, 's')
  old = old or ''
  if #old < offset then old = old .. string.rep('\0', offset - #old) end
  local v = string.sub(old, 1, offset) .. args[3] .. string.sub(old, offset + #args[3] + 1)
  c:write_string(args[1], st, v, false)
  return #v
end

-- An increment at this origin: counted once everywhere (its total for this origin, by stamp).
local function incr(c, key, by, float)
  local st, terr = c:typed_state(key, 's')
  if st == nil then return redis.error_reply(terr) end
  local cur = c:string_value(st)
  local n = 0
  if cur ~= nil then
    if float then n = parse_float(cur) else n = parse_int(cur) end
    if n == nil then return redis.error_reply(float and E_NOT_FLOAT or E_NOT_INT) end
  end
  local result = n + by
  if not float and (result > MAX_EXACT or result < -MAX_EXACT) then return redis.error_reply(E_OVERFLOW) end
  if float and (result ~= result or result == math.huge or result == -math.huge) then
    return redis.error_reply('ERR increment would produce NaN or Infinity')
  end
  local r = st.s
  local mine = r.c[c.o]
  r.c[c.o] = {h = c.h, n = (mine and mine.n or 0) + by}
  c:put(key, st)
  if float then return c:string_value(st) end
  return result
end

local function int_arg(s)
  local n = parse_int(s)
  if n == nil then return nil, E_NOT_INT end
  return n
end

commands.INCR = function(c, args)
  local e = arity(args, 1, 'incr'); if e then return redis.error_reply(e) end
  return incr(c, args[1], 1, false)
end
commands.DECR = function(c, args)
  local e = arity(args, 1, 'decr'); if e then return redis.error_reply(e) end
  return incr(c, args[1], -1, false)
end
commands.INCRBY = function(c, args)
  local e = arity(args, 2, 'incrby'); if e then return redis.error_reply(e) end
  local n, err = int_arg(args[2]); if n == nil then return redis.error_reply(err) end
  return incr(c, args[1], n, false)
end
commands.DECRBY = function(c, args)
  local e = arity(args, 2, 'decrby'); if e then return redis.error_reply(e) end
  local n, err = int_arg(args[2]); if n == nil then return redis.error_reply(err) end
  return incr(c, args[1], -n, false)
end
commands.INCRBYFLOAT = function(c, args)
  local e = arity(args, 2, 'incrbyfloat'); if e then return redis.error_reply(e) end
  local n = parse_float(args[2]); if n == nil then return redis.error_reply(E_NOT_FLOAT) end
  return incr(c, args[1], n, true)
end

-- DEL/UNLINK: a delete at this stamp, for every type; it resets the counters it observed.
local function del(c, args, cmd)
  local e = arity(args, 1, cmd, true); if e then return redis.error_reply(e) end
  local n = 0
  for _, key in ipairs(args) do
    local st = c:state(key)
    if c:visible(key, st) then
      st.x, st.xh, st.xo = 0, c.h, c.o
      c:delete_type(key, st, st.t)
      c:put(key, st)
      n = n + 1
    end
  end
  return n
end
commands.DEL = function(c, args) return del(c, args, 'del') end
commands.UNLINK = function(c, args) return del(c, args, 'unlink') end

-- EXPIRE family: the expire-at register, set at this stamp (Redis 7's NX/XX/GT/LT decided here, locally).
local function expire(c, args, cmd, unit, absolute)
  local e = arity(args, 2, cmd, true); if e then return redis.error_reply(e) end
  local n = parse_int(args[2])
  if n == nil then return redis.error_reply(E_NOT_INT) end
  local nx, xx, gt, lt = false, false, false, false
  for i = 3, #args do
    local a = upper(args[i])
    if a == 'NX' then nx = true elseif a == 'XX' then xx = true elseif a == 'GT' then gt = true
    elseif a == 'LT' then lt = true else return redis.error_reply('ERR Unsupported option ' .. args[i]) end
  end
  if nx and (xx or gt or lt) then return redis.error_reply('ERR NX and XX, GT or LT options at the same time are not compatible') end
  if gt and lt then return redis.error_reply('ERR GT and LT options at the same time are not compatible') end
  local st = c:state(args[1])
  if not c:visible(args[1], st) then return 0 end
  local at = absolute and n * unit or c.now + n * unit
  local cur = st.x
  if nx and cur ~= 0 then return 0 end
  if xx and cur == 0 then return 0 end
  if gt and (cur == 0 or at <= cur) then return 0 end
  if lt and cur ~= 0 and at >= cur then return 0 end
  st.x, st.xh, st.xo = at, c.h, c.o
  if at <= c.now then
    -- an expire-at in the past deletes the key, as in Redis
    st.x = 0
    c:delete_type(args[1], st, st.t)
  end
  c:put(args[1], st)
  return 1
end
commands.EXPIRE = function(c, args) return expire(c, args, 'expire', 1000, false) end
commands.PEXPIRE = function(c, args) return expire(c, args, 'pexpire', 1, false) end
commands.EXPIREAT = function(c, args) return expire(c, args, 'expireat', 1000, true) end
commands.PEXPIREAT = function(c, args) return expire(c, args, 'pexpireat', 1, true) end

commands.PERSIST = function(c, args)
  local e = arity(args, 1, 'persist'); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  if not c:visible(args[1], st) or st.x == 0 then return 0 end
  st.x, st.xh, st.xo = 0, c.h, c.o
  c:put(args[1], st)
  return 1
end

commands.GETEX = function(c, args)
  local e = arity(args, 1, 'getex', true); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  if c:visible(args[1], st) and st.t ~= 's' then return redis.error_reply(E_WRONGTYPE) end
  local v = c:string_value(st)
  if #args == 1 then return v or false end
  local a = upper(args[2])
  local x
  if a == 'PERSIST' and #args == 2 then x = 0
  elseif (a == 'EX' or a == 'PX' or a == 'EXAT' or a == 'PXAT') and #args == 3 then
    local n = parse_int(args[3])
    if n == nil then return redis.error_reply(E_NOT_INT) end
    if n <= 0 then return redis.error_reply("ERR invalid expire time in 'getex' command") end
    if a == 'EX' then x = c.now + n * 1000 elseif a == 'PX' then x = c.now + n
    elseif a == 'EXAT' then x = n * 1000 else x = n end
  else
    return redis.error_reply(E_SYNTAX)
  end
  if v == nil then return false end
  if x == 0 and st.x == 0 then return v end
  st.x, st.xh, st.xo = x, c.h, c.o
  c:put(args[1], st)
  return v
end

-- Hashes: each field a string register with counters (the string rules, field by field).

local function hash_field(c, key, st, field)
  local ms = st.m.h[field] or load_member(c.db, key, 'h', field) or fresh_register()
  st.m.h[field] = ms
  return ms
end

local function hset(c, args, cmd)
  if #args < 3 or #args % 2 ~= 1 then return nil, "ERR wrong number of arguments for '" .. cmd .. "' command" end
  local st, terr = c:typed_state(args[1], 'h')
  if st == nil then return nil, terr end
  local added = 0
  for i = 2, #args, 2 do
    local ms = hash_field(c, args[1], st, args[i])
    if register_value(ms) == nil then added = added + 1 end
    ms.rh, ms.ro, ms.b, ms.d, ms.v = c.h, c.o, totals(ms), false, args[i + 1]
  end
  c:put(args[1], st)
  return added
end

commands.HSET = function(c, args)
  local n, err = hset(c, args, 'hset')
  if n == nil then return redis.error_reply(err) end
  return n
end
commands.HMSET = function(c, args)
  local n, err = hset(c, args, 'hmset')
  if n == nil then return redis.error_reply(err) end
  return redis.status_reply('OK')
end
commands.HSETNX = function(c, args)
  local e = arity(args, 3, 'hsetnx'); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  local seen = c:visible(args[1], st)
  if seen and st.t ~= 'h' then return redis.error_reply(E_WRONGTYPE) end
  if seen and register_value(hash_field(c, args[1], st, args[2])) ~= nil then return 0 end
  return commands.HSET(c, args)
end

commands.HDEL = function(c, args)
  local e = arity(args, 2, 'hdel', true); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  if not c:visible(args[1], st) then return 0 end
  if st.t ~= 'h' then return redis.error_reply(E_WRONGTYPE) end
  local n = 0
  for i = 2, #args do
    local ms = hash_field(c, args[1], st, args[i])
    if register_value(ms) ~= nil then
      ms.rh, ms.ro, ms.b, ms.d, ms.v = c.h, c.o, totals(ms), true, nil
      n = n + 1
    else
      st.m.h[args[i]] = nil
    end
  end
  if n > 0 then c:put(args[1], st) end
  return n
end

local function hincr(c, args, cmd, float)
  local e = arity(args, 3, cmd); if e then return redis.error_reply(e) end
  local by = float and parse_float(args[3]) or parse_int(args[3])
  if by == nil then return redis.error_reply(float and E_NOT_FLOAT or E_NOT_INT) end
  local st, terr = c:typed_state(args[1], 'h')
  if st == nil then return redis.error_reply(terr) end
  local ms = hash_field(c, args[1], st, args[2])
  local cur = register_value(ms)
  local n = 0
  if cur ~= nil then
    if float then n = parse_float(cur) else n = parse_int(cur) end
    if n == nil then return redis.error_reply(float and E_NOT_FLOAT or 'ERR hash value is not an integer') end
  end
  local result = n + by
  if not float and (result > MAX_EXACT or result < -MAX_EXACT) then return redis.error_reply(E_OVERFLOW) end
  local mine = ms.c[c.o]
  ms.c[c.o] = {h = c.h, n = (mine and mine.n or 0) + by}
  c:put(args[1], st)
  if float then return register_value(ms) end
  return result
end
commands.HINCRBY = function(c, args) return hincr(c, args, 'hincrby', false) end
commands.HINCRBYFLOAT = function(c, args) return hincr(c, args, 'hincrbyfloat', true) end

-- Sets: add wins over a concurrent remove (a remove takes out only the adds it has seen).

local function set_member(c, key, st, member)
  local ms = st.m.S[member] or load_member(c.db, key, 'S', member) or {}
  st.m.S[member] = ms
  return ms
end

commands.SADD = function(c, args)
  local e = arity(args, 2, 'sadd', true); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 'S')
  if st == nil then return redis.error_reply(terr) end
  local added = 0
  for i = 2, #args do
    local ms = set_member(c, args[1], st, args[i])
    if not member_in(ms) then added = added + 1 end
    local mine = ms[c.o]
    if mine == nil then ms[c.o] = {a = c.h, r = 0} else mine.a = c.h end
  end
  c:put(args[1], st)
  return added
end

commands.SREM = function(c, args)
  local e = arity(args, 2, 'srem', true); if e then return redis.error_reply(e) end
  local st = c:state(args[1])
  if not c:visible(args[1], st) then return 0 end
  if st.t ~= 'S' then return redis.error_reply(E_WRONGTYPE) end
  local n = 0
  for i = 2, #args do
    local ms = set_member(c, args[1], st, args[i])
    if member_in(ms) then
      for _, x in pairs(ms) do x.r = x.a end
      n = n + 1
    else
      st.m.S[args[i]] = nil
    end
  end
  if n > 0 then c:put(args[1], st) end
  return n
end

-- Sorted sets (RE's rule): membership is an add-wins set, a member's score a register with counters (ZADD sets it,
-- ZINCRBY adds to it; a ZADD resets only the increments it has seen). An update (ZADD, ZINCRBY) of a member counts as an
-- add: it wins over a concurrent ZREM.

local function parse_score(s)
  local l = s and string.lower(s)
  if l == 'inf' or l == '+inf' then return math.huge end
  if l == '-inf' then return -math.huge end
  return parse_float(s)
end

local function zmember(c, key, st, member)
  local ms = st.m.Z[member] or load_member(c.db, key, 'Z', member)
  if ms == nil then
    ms = fresh_register()
    ms.p = {}
  end
  st.m.Z[member] = ms
  return ms
end

local function zscore(ms)
  local v = register_value(ms)
  return v and tonumber(v)
end

-- The member is added (or its add renewed) at this stamp.
local function zpresent(c, ms)
  local mine = ms.p[c.o]
  if mine == nil then ms.p[c.o] = {a = c.h, r = 0} else mine.a = c.h end
end

local function zset_score(c, ms, score)
  ms.rh, ms.ro, ms.b, ms.d, ms.v = c.h, c.o, totals(ms), false, fmt_num(score)
end

local function zincr_score(c, ms, by)
  local mine = ms.c[c.o]
  ms.c[c.o] = {h = c.h, n = (mine and mine.n or 0) + by}
end

commands.ZADD = function(c, args)
  if #args < 3 then return redis.error_reply("ERR wrong number of arguments for 'zadd' command") end
  local nx, xx, gt, lt, ch, incr = false, false, false, false, false, false
  local i = 2
  while i <= #args do
    local a = upper(args[i])
    if a == 'NX' then nx = true elseif a == 'XX' then xx = true elseif a == 'GT' then gt = true
    elseif a == 'LT' then lt = true elseif a == 'CH' then ch = true elseif a == 'INCR' then incr = true
    else break end
    i = i + 1
  end
  local n = #args - i + 1
  if n <= 0 or n % 2 ~= 0 then return redis.error_reply(E_SYNTAX) end
  if nx and xx then return redis.error_reply('ERR XX and NX options at the same time are not compatible') end
  if (gt and nx) or (lt and nx) or (gt and lt) then
    return redis.error_reply('ERR GT, LT, and/or NX options at the same time are not compatible')
  end
  if incr and n > 2 then return redis.error_reply('ERR INCR option supports a single increment-element pair') end
  local scores = {}
  for j = i, #args, 2 do
    local sc = parse_score(args[j])
    if sc == nil then return redis.error_reply(E_NOT_FLOAT) end
    scores[#scores + 1] = sc
  end
  local st, terr = c:typed_state(args[1], 'Z')
  if st == nil then return redis.error_reply(terr) end
  local added, changed, result, touched = 0, 0, nil, false
  local k = 0
  for j = i, #args, 2 do
    k = k + 1
    local member, sc = args[j + 1], scores[k]
    local ms = zmember(c, args[1], st, member)
    local exists = member_in(ms.p)
    local cur = exists and zscore(ms) or nil
    local skip = (nx and exists) or (xx and not exists)
    local new = sc
    if incr and cur ~= nil then new = cur + sc end
    if new ~= new then return redis.error_reply('ERR resulting score is not a number (NaN)') end
    if not skip and exists and ((gt and new <= cur) or (lt and new >= cur)) then skip = true end
    if skip then
      st.m.Z[member] = nil
    else
      zpresent(c, ms)
      if not exists then
        zset_score(c, ms, new)
        added = added + 1
      elseif new ~= cur then
        if incr then zincr_score(c, ms, sc) else zset_score(c, ms, new) end
        changed = changed + 1
      end
      touched = true
      result = new
    end
  end
  if touched then c:put(args[1], st) end
  if incr then return result and fmt_num(result) or false end
  return ch and added + changed or added
end

commands.ZINCRBY = function(c, args)
  local e = arity(args, 3, 'zincrby'); if e then return redis.error_reply(e) end
  return commands.ZADD(c, {args[1], 'INCR', args[2], args[3]})
end

-- Removes the members a client sees (those a concurrent add did not renew stay, elsewhere: add wins).
local function zremove(c, key, st, members)
  local n = 0
  for _, member in ipairs(members) do
    local ms = zmember(c, key, st, member)
    if member_in(ms.p) then
      for _, e in pairs(ms.p) do e.r = e.a end
      n = n + 1
    else
      st.m.Z[member] = nil
    end
  end
  if n > 0 then c:put(key, st) end
  return n
end

local function zstate(c, key)
  local st = c:state(key)
  if not c:visible(key, st) then return nil end
  if st.t ~= 'Z' then return nil, E_WRONGTYPE end
  return st
end

commands.ZREM = function(c, args)
  local e = arity(args, 2, 'zrem', true); if e then return redis.error_reply(e) end
  local st, err = zstate(c, args[1])
  if st == nil then
    if err then return redis.error_reply(err) end
    return 0
  end
  local members = {}
  for i = 2, #args do members[#members + 1] = args[i] end
  return zremove(c, args[1], st, members)
end

-- What the client sees of the sorted set, read as Redis would answer it, then removed member by member.
local function zread(c, key, ...)
  redis.call('SELECT', c.db)
  local r = redis.call(...)
  redis.call('SELECT', META_DB)
  return r
end

local function zpop(c, args, cmd, range)
  if #args < 1 or #args > 2 then return redis.error_reply("ERR wrong number of arguments for '" .. cmd .. "' command") end
  local count = 1
  if args[2] ~= nil then
    count = parse_int(args[2])
    if count == nil or count < 0 then return redis.error_reply('ERR value is out of range, must be positive') end
  end
  local st, err = zstate(c, args[1])
  if st == nil then
    if err then return redis.error_reply(err) end
    return {}
  end
  if count == 0 then return {} end
  local r = zread(c, args[1], range, args[1], 0, count - 1, 'WITHSCORES')
  local members = {}
  for i = 1, #r, 2 do members[#members + 1] = r[i] end
  zremove(c, args[1], st, members)
  return r
end
commands.ZPOPMIN = function(c, args) return zpop(c, args, 'zpopmin', 'ZRANGE') end
commands.ZPOPMAX = function(c, args) return zpop(c, args, 'zpopmax', 'ZREVRANGE') end

local function zremrange(c, args, cmd, range)
  local e = arity(args, 3, cmd); if e then return redis.error_reply(e) end
  local st, err = zstate(c, args[1])
  if st == nil then
    if err then return redis.error_reply(err) end
    return 0
  end
  local ok, r = pcall(zread, c, args[1], range, args[1], args[2], args[3])
  if not ok then
    redis.call('SELECT', META_DB)
    return redis.error_reply(type(r) == 'table' and r.err or tostring(r))
  end
  return zremove(c, args[1], st, r)
end
commands.ZREMRANGEBYSCORE = function(c, args) return zremrange(c, args, 'zremrangebyscore', 'ZRANGEBYSCORE') end
commands.ZREMRANGEBYRANK = function(c, args) return zremrange(c, args, 'zremrangebyrank', 'ZRANGE') end
commands.ZREMRANGEBYLEX = function(c, args) return zremrange(c, args, 'zremrangebylex', 'ZRANGEBYLEX') end

-- ---------------------------------------------------------------- registered functions

local function wall_arg(s)
  local n = parse_int(s)
  if n == nil or n <= 0 then return nil end
  return n
end

redis.register_function{function_name = 'redissync_cmd', callback = function(_, args)
  local origin, wall, db, cmd = args[1], wall_arg(args[2]), parse_int(args[3]), args[4]
  if origin == nil or wall == nil or db == nil or db < 0 or db >= META_DB or cmd == nil then
    return redis.error_reply('ERR redissync_cmd: <origin> <wall-ms> <db> <command> [args...] expected')
  end
  local handler = commands[upper(cmd)]
  if handler == nil then return redis.error_reply('ERR redissync_cmd: ' .. cmd .. ' is not a convergent command') end
  -- the caller's permissions decide as if it had sent the command itself: an instance whose writes are paused (its
  -- CRDB membership changing: -@write) answers with Redis's own NOPERM, not with an error from inside this function
  local allowed
  if args[5] == nil then allowed = redis.acl_check_cmd(cmd) else allowed = redis.acl_check_cmd(cmd, args[5]) end
  if not allowed then
    return redis.error_reply("NOPERM this user has no permissions to run the '" .. string.lower(cmd) .. "' command")
  end
  local rest = {}
  for i = 5, #args do rest[#rest + 1] = args[i] end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  -- the endpoint's wall clock is this host's: it decides expiry here as Redis's own clock would
  local c = new_ctx(origin, clock_tick(wall), db, wall)
  local reply = handler(c, rest)
  c:publish()
  return reply
end}

redis.register_function{function_name = 'redissync_merge', callback = function(_, args)
  local ok, op = pcall(cmsgpack.unpack, args[1] or '')
  if not ok or type(op) ~= 'table' or type(op.o) ~= 'string' or type(op.h) ~= 'number' then
    return redis.error_reply('ERR redissync_merge: not an op record')
  end
  local checked = args[2] ~= 'unchecked'
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local seen = tonumber(redis.call('HGET', VV_KEY, op.o)) or 0
  if checked and op.h <= seen then return 0 end
  if op.h > seen then redis.call('HSET', VV_KEY, op.o, fmt_int(op.h)) end
  local now = now_ms()
  clock_observe(op.h)
  if type(op.vv) == 'table' then redis.call('HSET', PEER_VVS_KEY, op.o, cmsgpack.pack(op.vv)) end
  for _, entry in ipairs(op.e or {}) do
    local key, s = entry[1], entry[2]
    local mine = load(op.db, key)
    local t0 = mine and mine.t
    local was_expired = mine ~= nil and expired(mine, now)
    local st = join(op.db, key, mine, s)
    store(op.db, key, st)
    -- the seen type changed, or a later expiry (or none) arrived after the key expired here: written anew
    materialize(op.db, key, st, now, st.t ~= t0 or (was_expired and not expired(st, now)))
  end
  return 1
end}

-- The highest stamp in a state (or any table of one), so that the clock is past everything a snapshot holds.
local function max_stamp(x, best)
  for k, v in pairs(x) do
    if type(v) == 'table' then best = max_stamp(v, best)
    elseif type(v) == 'number' and (k == 'h' or k == 'rh' or k == 'xh' or k == 'a' or k == 'r') and v > best then best = v end
  end
  return best
end

--[[
A key's state from a peer's snapshot (a full sync), joined like a record. The channel has restored the snapshot's
state hash under <staged-state> and every data key of the snapshot under <staged-values><db>:<key>; a string whose
value the peer did not store twice takes it from there. Both staged keys are deleted.
  FCALL redissync_merge_state 0 <state key name in the snapshot> <staged-state> <staged-values>
]]
redis.register_function{function_name = 'redissync_merge_state', callback = function(_, args)
  local name, staged, values = args[1], args[2], args[3]
  local db, key = string.match(name or '', '^' .. META_PREFIX:gsub('%p', '%%%0') .. '(%d+):(.*)$')
  if db == nil or staged == nil or values == nil then
    return redis.error_reply('ERR redissync_merge_state: <state key> <staged state> <staged values> expected')
  end
  db = tonumber(db)
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local raw = redis.call('HGETALL', staged)
  local s = {h = {}, S = {}, Z = {}}
  for i = 1, #raw, 2 do
    local f, v = raw[i], raw[i + 1]
    if f == 'k' then
      local kst = cmsgpack.unpack(v)
      s.x, s.xh, s.xo, s.ty = kst.x, kst.xh, kst.xo, kst.ty or {}
    elseif f == 's' then
      s.s = normalized_register(cmsgpack.unpack(v))
    else
      local t = string.sub(f, 1, 1)
      if t == 'h' or t == 'S' or t == 'Z' then s[t][string.sub(f, 3)] = member_state(t, v) end
    end
  end
  redis.call('DEL', staged)
  local value_key = values .. db .. ':' .. key
  if s.x == nil then
    redis.call('DEL', value_key)
    return 0
  end
  if s.s ~= nil and not s.s.d and s.s.v == nil then
    s.s.v = redis.call('GET', value_key) or ''
  end
  redis.call('DEL', value_key)
  local now = now_ms()
  clock_observe(max_stamp(s, 0))
  local mine = load(db, key)
  local t0 = mine and mine.t
  local was_expired = mine ~= nil and expired(mine, now)
  local st = join(db, key, mine, s)
  store(db, key, st)
  materialize(db, key, st, now, st.t ~= t0 or (was_expired and not expired(st, now)))
  return 1
end}

--[[
Adoption: keys written before this library ran on the instance (a CRDB instance that ran without convergence, the
suite's default before) have no state, so a write would start from nothing (an INCR of "5" would make "1"), a full
sync would not carry them, and a peer would never learn them. Each such key of database 0 is written again, with
what it holds (its value, fields, members or scores, and its expiry), at this call's stamp, as if a client had
written it then: its state is made and an op record sent, so every instance learns it and instances that held
different values converge as concurrent writes do. Keys of types the model does not cover (lists, streams, ...)
are left as they are and counted. The shard manager calls it until the cursor is 0, before clients are let in.
  FCALL redissync_adopt 0 <origin> <wall-ms> <cursor> <count>  -> {next cursor, adopted, not covered}
]]
redis.register_function{function_name = 'redissync_adopt', callback = function(_, args)
  local origin, wall, cursor, count = args[1], wall_arg(args[2]), args[3], parse_int(args[4] or '')
  if origin == nil or wall == nil or cursor == nil or count == nil or count < 1 then
    return redis.error_reply('ERR redissync_adopt: <origin> <wall-ms> <cursor> <count> expected')
  end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', 0)
  local r = redis.call('SCAN', cursor, 'COUNT', count)
  redis.call('SELECT', META_DB)
  local todo = {}
  for _, k in ipairs(r[2]) do
    if string.sub(k, 1, 12) ~= '__redissync:' and redis.call('EXISTS', meta_key(0, k)) == 0 then todo[#todo + 1] = k end
  end
  local adopted, uncovered = 0, 0
  if #todo == 0 then return {r[1], 0, 0} end
  local c = new_ctx(origin, clock_tick(wall), 0, wall)
  for _, k in ipairs(todo) do
    redis.call('SELECT', 0)
    local t = redis.call('TYPE', k).ok
    local pttl = redis.call('PTTL', k)
    local cmd, a = nil, {k}
    if t == 'string' then
      cmd, a[2] = 'SET', redis.call('GET', k)
    elseif t == 'hash' then
      cmd = 'HSET'
      for _, v in ipairs(redis.call('HGETALL', k)) do a[#a + 1] = v end
    elseif t == 'set' then
      cmd = 'SADD'
      for _, v in ipairs(redis.call('SMEMBERS', k)) do a[#a + 1] = v end
    elseif t == 'zset' then
      cmd = 'ZADD'
      local z = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
      for i = 1, #z, 2 do a[#a + 1] = z[i + 1]; a[#a + 1] = z[i] end
    end
    redis.call('SELECT', META_DB)
    if cmd == nil then
      if t ~= 'none' then uncovered = uncovered + 1 end
    else
      local reply = commands[cmd](c, a)
      if type(reply) == 'table' and reply.err then return redis.error_reply('ERR redissync_adopt: ' .. k .. ': ' .. reply.err) end
      if pttl > 0 then commands.PEXPIREAT(c, {k, fmt_int(wall + pttl)}) end
      adopted = adopted + 1
    end
  end
  c:publish()
  return {r[1], adopted, uncovered}
end}

-- Deletes what a full sync staged and did not use (values of keys without a state). FCALL redissync_unstage 0 <prefix>
redis.register_function{function_name = 'redissync_unstage', callback = function(_, args)
  local prefix = args[1]
  if prefix == nil or string.sub(prefix, 1, #'__redissync:stage:') ~= '__redissync:stage:' then
    return redis.error_reply('ERR redissync_unstage: a __redissync:stage: prefix expected')
  end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local cursor, n = '0', 0
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', prefix:gsub('[%*%?%[%]\\]', '\\%0') .. '*', 'COUNT', 1000)
    cursor = r[1]
    for _, k in ipairs(r[2]) do redis.call('DEL', k); n = n + 1 end
  until cursor == '0'
  return n
end}

--[[
Tombstone collection. A key whose state holds nothing a client could see (every type's content deleted) is dropped
once every instance has seen every stamp in it: for each stamp (h, o), every member p other than o has applied o's
writes up to h, as p's last tick says (vv_p[o] >= h; this instance's own vector for itself). Ticks travel in each
peer's stream, so when p's tick arrives everything p sent before it has been applied here, and everything p sends
after it already holds what the tombstone holds: nothing older can bring the key back. A dropped tombstone that a
peer's later record carries again is dead state again, and goes again. Expired keys are kept (a later PERSIST from an
instance whose clock is behind could still bring them back), as are keys with a counter not observed by a delete.
  FCALL redissync_gc 0 <self> <batch> <member...>  -> {collected, dead but not yet seen everywhere, cursor}
]]
local gc_cursor = '0'

local function peer_vv(p, self)
  local raw
  if p == self then
    raw = redis.call('HGETALL', VV_KEY)
    local vv = {}
    for i = 1, #raw, 2 do vv[raw[i]] = tonumber(raw[i + 1]) end
    return vv
  end
  raw = redis.call('HGET', PEER_VVS_KEY, p)
  return raw and cmsgpack.unpack(raw) or {}
end

-- Every (h, o) stamp in a state, to f(h, o); false as soon as f says so.
local function each_stamp(st, f)
  for o, s in pairs(st.ty) do if not f(s.h, s.o) then return false end end
  if st.xh ~= 0 and not f(st.xh, st.xo) then return false end
  local function register(r)
    if r.rh ~= 0 and not f(r.rh, r.ro) then return false end
    for o, e in pairs(r.c or {}) do if not f(e.h, o) then return false end end
    return true
  end
  if st.s ~= nil and not register(st.s) then return false end
  for _, ms in pairs(st.m.h) do if not register(ms) then return false end end
  local function presence(ms)
    for o, e in pairs(ms) do
      if not f(e.a, o) or not f(e.r, o) then return false end
    end
    return true
  end
  for _, ms in pairs(st.m.S) do if not presence(ms) then return false end end
  for _, ms in pairs(st.m.Z) do if not presence(ms.p) or not register(ms) then return false end end
  return true
end

local function dead(st)
  if st.x ~= 0 then return false end
  if st.s ~= nil and register_value(st.s) ~= nil then return false end
  for _, ms in pairs(st.m.h) do if register_value(ms) ~= nil then return false end end
  for _, ms in pairs(st.m.S) do if member_in(ms) then return false end end
  for _, ms in pairs(st.m.Z) do if member_in(ms.p) then return false end end
  return true
end

redis.register_function{function_name = 'redissync_gc', callback = function(_, args)
  local self, batch = args[1], parse_int(args[2])
  if self == nil or batch == nil or batch < 1 or #args < 3 then
    return redis.error_reply('ERR redissync_gc: <self> <batch> <member...> expected')
  end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local members = {}
  for i = 3, #args do members[#members + 1] = args[i] end
  local vvs = {}
  for _, p in ipairs(members) do vvs[p] = peer_vv(p, self) end
  -- seen(h, o): every member other than o has applied o's writes up to h
  local function seen(h, o)
    for _, p in ipairs(members) do
      if p ~= o and (vvs[p][o] or 0) < h then return false end
    end
    return true
  end
  local r = redis.call('SCAN', gc_cursor, 'MATCH', META_PREFIX .. '*', 'COUNT', batch)
  gc_cursor = r[1]
  local collected, waiting = 0, 0
  for _, mk in ipairs(r[2]) do
    local db, key = string.match(mk, '^' .. META_PREFIX:gsub('%p', '%%%0') .. '(%d+):(.*)$')
    if db ~= nil then
      db = tonumber(db)
      -- a key clients can see is not dead: skipped without reading its state (a live hash's members, every pass)
      redis.call('SELECT', db)
      local live = redis.call('EXISTS', key) == 1
      redis.call('SELECT', META_DB)
      local st = (not live) and load(db, key) or nil
      if st ~= nil then
        for _, t in ipairs(CONTAINERS) do load_all_members(db, key, st, t) end
        if dead(st) then
          if each_stamp(st, seen) then
            redis.call('DEL', mk)
            collected = collected + 1
          else
            waiting = waiting + 1
          end
        end
      end
    end
  end
  return {collected, waiting, gc_cursor}
end}

redis.register_function{function_name = 'redissync_tick', callback = function(_, args)
  local origin, wall = args[1], wall_arg(args[2])
  if origin == nil or wall == nil then return redis.error_reply('ERR redissync_tick: <origin> <wall-ms> expected') end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local h = clock_tick(wall)
  local vv = {}
  local raw = redis.call('HGETALL', VV_KEY)
  for i = 1, #raw, 2 do vv[raw[i]] = tonumber(raw[i + 1]) end
  redis.set_repl(redis.REPL_REPLICA)
  redis.call('SPUBLISH', OP_CHANNEL, cmsgpack.pack({o = origin, h = h, db = 0, e = {}, vv = vv}))
  return fmt_int(h)
end}

-- A state as text, fields in a fixed order: equal states give equal text on every instance.
local function canonical(x)
  if type(x) == 'number' then return fmt_num(x) end
  if type(x) ~= 'table' then return string.format('%q', tostring(x)) end
  local ks = {}
  for k in pairs(x) do ks[#ks + 1] = tostring(k) end
  table.sort(ks, bytes_lt)
  local parts = {}
  for _, k in ipairs(ks) do
    local v = x[k]
    if v == nil then v = x[tonumber(k)] end
    parts[#parts + 1] = k .. '=' .. canonical(v)
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

redis.register_function{function_name = 'redissync_state', flags = {'no-writes'}, callback = function(_, args)
  local db = parse_int(args[1])
  if db == nil or args[2] == nil then return redis.error_reply('ERR redissync_state: <db> <key> expected') end
  redis.call('SELECT', META_DB)
  local st = load(db, args[2])
  if st == nil then return false end
  for _, t in ipairs(CONTAINERS) do load_all_members(db, args[2], st, t) end
  return canonical({x = st.x, xh = st.xh, xo = st.xo, ty = st.ty, s = st.s, h = st.m.h, S = st.m.S, Z = st.m.Z})
end}
