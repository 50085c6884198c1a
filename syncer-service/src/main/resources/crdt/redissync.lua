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

local function clock_tick(wall)
  local last = tonumber(redis.call('GET', CLOCK_KEY)) or 0
  local h = math.max(wall * SHIFT, last + 1)
  redis.call('SET', CLOCK_KEY, fmt_int(h))
  return h
end

local function clock_observe(h)
  local last = tonumber(redis.call('GET', CLOCK_KEY)) or 0
  if h > last then redis.call('SET', CLOCK_KEY, fmt_int(h)) end
end

-- ---------------------------------------------------------------- key state (db 15)
--[[
A key's state, a table:
  t        type: 's' string (register and counters), 'h' hash, 'S' set
  th, to   the type's stamp (a type change wins by it)
  x, xh, xo  expire-at ms (0: none) and its stamp: a last-writer-wins register
  string:  rh, ro  the register's stamp; d  true when the register is a delete; v  its value
           b       origin -> the counter total that register observed (reset by it)
           c       origin -> {h = stamp of that origin's last increment, n = its total}
  hash:    m  field -> a string's register and counters (rh, ro, d, v, b, c), joined field by field
  set:     m  member -> origin -> {a = stamp of that origin's last add, r = the last add of it a remove observed};
           a member is in the set while some origin's add is later than what removes observed (add wins)
Stored as the hash __redissync:m:<db>:<key>: field "s" the key's state (msgpack), and for a hash or set one field
"m:<member>" per member (only the members a command touches are read or written). A string's value is left out of
"s" when the key's value in <db> equals it (no counters, no expiry, not deleted), so plain SETs do not store a value
twice; a hash field's value is always kept (a hash that expired here is brought back by a later PERSIST from a peer).
An op record carries a string's whole state, and of a hash or set its key state with the members that changed.
]]

local function meta_key(db, key) return META_PREFIX .. db .. ':' .. key end

local function load(db, key)
  local raw = redis.call('HGET', meta_key(db, key), 's')
  if not raw then return nil end
  local st = cmsgpack.unpack(raw)
  st.c = st.c or {}
  st.b = st.b or {}
  if st.t ~= 's' then
    st.m = {}
    return st
  end
  if not st.d and st.v == nil then
    redis.call('SELECT', db)
    st.v = redis.call('GET', key) or ''
    redis.call('SELECT', META_DB)
  end
  return st
end

-- A member's state as stored; a hash field gets its (possibly empty) counters and observed totals.
local function member_state(t, raw)
  local ms = cmsgpack.unpack(raw)
  if t == 'h' then
    ms.c = ms.c or {}
    ms.b = ms.b or {}
  end
  return ms
end

local function load_member(db, key, t, member)
  local raw = redis.call('HGET', meta_key(db, key), 'm:' .. member)
  if not raw then return nil end
  return member_state(t, raw)
end

-- Every member of a hash or set into st.m (a delete or an expiry touches them all).
local function load_all_members(db, key, st)
  local raw = redis.call('HGETALL', meta_key(db, key))
  for i = 1, #raw, 2 do
    if string.sub(raw[i], 1, 2) == 'm:' then
      st.m[string.sub(raw[i], 3)] = member_state(st.t, raw[i + 1])
    end
  end
end

local function store(db, key, st, retype)
  local mk = meta_key(db, key)
  if retype then redis.call('DEL', mk) end
  if st.t ~= 's' then
    redis.call('HSET', mk, 's', cmsgpack.pack({t = st.t, th = st.th, to = st.to, x = st.x, xh = st.xh, xo = st.xo}))
    for member, ms in pairs(st.m) do redis.call('HSET', mk, 'm:' .. member, cmsgpack.pack(ms)) end
    return
  end
  local keep_value = st.d or st.x ~= 0 or next(st.c) ~= nil
  local v = st.v
  if not keep_value then st.v = nil end
  redis.call('HSET', mk, 's', cmsgpack.pack(st))
  st.v = v
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, bytes_lt)
  return ks
end

local function expired(st, now) return st.x ~= nil and st.x ~= 0 and st.x <= now end

-- The increments the register has not observed, summed in a fixed order (floats add the same everywhere).
local function unobserved(st)
  local sum, any = 0, false
  for _, o in ipairs(sorted_keys(st.c)) do
    local delta = st.c[o].n - (st.b[o] or 0)
    if delta ~= 0 then sum = sum + delta; any = true end
  end
  return sum, any
end

-- The value a client sees, or nil. A non-numeric register wins over concurrent increments it did not observe.
local function string_value(st, now)
  if expired(st, now) then return nil end
  local base = (not st.d) and st.v or nil
  local sum, any = unobserved(st)
  if not any then return base end
  if base == nil then return fmt_num(sum) end
  local n = parse_int(base) or parse_float(base)
  if n == nil then return base end
  return fmt_num(n + sum)
end

local function fresh(t, h, o)
  local st = {t = t, th = h, to = o, x = 0, xh = 0, xo = '', rh = 0, ro = '', d = true, b = {}, c = {}}
  if t ~= 's' then st.m = {} end
  return st
end

-- A hash field's state: a string register and counters, without an expiry of its own.
local function fresh_field() return {x = 0, rh = 0, ro = '', d = true, b = {}, c = {}} end

local function set_member_in(ms)
  for _, e in pairs(ms) do
    if e.a > e.r then return true end
  end
  return false
end

local function totals(st)
  local b = {}
  for o, e in pairs(st.c) do b[o] = e.n end
  return b
end

-- ---------------------------------------------------------------- join (the merge of two states)

local function join_string(a, s)
  if before(a.rh, a.ro, s.rh, s.ro) then
    a.rh, a.ro, a.d, a.v, a.b = s.rh, s.ro, s.d, s.v, s.b or {}
  end
  for o, e in pairs(s.c or {}) do
    local mine = a.c[o]
    if mine == nil or mine.h < e.h then a.c[o] = {h = e.h, n = e.n} end
  end
end

local function join_set_member(a, s)
  for o, e in pairs(s) do
    local mine = a[o]
    if mine == nil then a[o] = {a = e.a, r = e.r}
    else
      if e.a > mine.a then mine.a = e.a end
      if e.r > mine.r then mine.r = e.r end
    end
  end
end

local function normalized(s)
  s.c = s.c or {}; s.b = s.b or {}
  if s.t ~= 's' then s.m = s.m or {} end
  return s
end

-- join(a, s) of the local state a (nil: none) and a peer's s: commutative, associative and idempotent. Returns the
-- joined state and whether the key changed type (or is new here). For a hash or set, s.m holds the members s
-- carries and the result's m the joined ones (read from here as needed).
local function join(db, key, a, s)
  s = normalized(s)
  if a == nil then return s, true end
  if a.t ~= s.t then
    if before(a.th, a.to, s.th, s.to) then return s, true end
    return a, false
  end
  if before(a.th, a.to, s.th, s.to) then a.th, a.to = s.th, s.to end
  if before(a.xh, a.xo, s.xh, s.xo) then a.x, a.xh, a.xo = s.x, s.xh, s.xo end
  if a.t == 's' then
    join_string(a, s)
  else
    for member, sm in pairs(s.m) do
      local mine = load_member(db, key, a.t, member)
      if mine == nil then
        a.m[member] = sm
      else
        if a.t == 'h' then
          join_string(mine, sm)
        else
          join_set_member(mine, sm)
        end
        a.m[member] = mine
      end
    end
  end
  return a, false
end

-- ---------------------------------------------------------------- writing a key's value (db <db>)

local function materialize(db, key, st, now, retype)
  redis.call('SELECT', db)
  if retype and st.t ~= 's' then redis.call('DEL', key) end
  if st.t ~= 's' then
    if expired(st, now) then
      redis.call('DEL', key)
    else
      for member, ms in pairs(st.m) do
        if st.t == 'h' then
          local v = string_value(ms, now)
          if v == nil then redis.call('HDEL', key, member) else redis.call('HSET', key, member, v) end
        elseif set_member_in(ms) then
          redis.call('SADD', key, member)
        else
          redis.call('SREM', key, member)
        end
      end
      if redis.call('EXISTS', key) == 1 then
        if st.x ~= 0 then redis.call('PEXPIREAT', key, st.x) else redis.call('PERSIST', key) end
      end
    end
  elseif st.t == 's' then
    local v = string_value(st, now)
    if v == nil then
      redis.call('DEL', key)
    elseif st.x ~= 0 then
      redis.call('SET', key, v, 'PXAT', st.x)
    else
      redis.call('SET', key, v)
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

-- The key's live state for a write: an expired key is first deleted at this command's stamp.
-- A delete at this command's stamp of everything st holds (every member of a hash or set is read).
function Ctx:delete_all(key, st)
  if st.t == 's' then
    st.rh, st.ro, st.d, st.v, st.b = self.h, self.o, true, nil, totals(st)
    return
  end
  load_all_members(self.db, key, st)
  for _, ms in pairs(st.m) do
    if st.t == 'h' then
      ms.rh, ms.ro, ms.d, ms.v, ms.b = self.h, self.o, true, nil, totals(ms)
    else
      for _, e in pairs(ms) do e.r = e.a end
    end
  end
end

function Ctx:state(key)
  local st = load(self.db, key)
  if st ~= nil and expired(st, self.now) then
    st.x, st.xh, st.xo = 0, self.h, self.o
    self:delete_all(key, st)
  end
  return st
end

function Ctx:visible(key, st)
  if st == nil then return false end
  if st.t == 's' then return string_value(st, self.now) ~= nil end
  redis.call('SELECT', self.db)
  local n = redis.call('EXISTS', key)
  redis.call('SELECT', META_DB)
  return n == 1
end

-- The key's state as type t (a fresh one when it holds nothing), or nil and WRONGTYPE when it holds another type.
function Ctx:typed_state(key, t)
  local st = self:state(key)
  if st ~= nil and st.t ~= t then
    if self:visible(key, st) then return nil, E_WRONGTYPE end
    local f = fresh(t, self.h, self.o)
    f.retype = true
    return f
  end
  return st or fresh(t, self.h, self.o)
end

function Ctx:string_state(key) return self:typed_state(key, 's') end

function Ctx:put(key, st)
  if self.changed[key] == nil then self.order[#self.order + 1] = key end
  self.changed[key] = st
  local retype = st.retype
  st.retype = nil
  store(self.db, key, st, retype)
  materialize(self.db, key, st, self.now, retype)
end

function Ctx:publish()
  if #self.order == 0 then return end
  local entries = {}
  for i, key in ipairs(self.order) do entries[i] = {key, self.changed[key]} end
  redis.set_repl(redis.REPL_REPLICA)
  redis.call('SPUBLISH', OP_CHANNEL, cmsgpack.pack({o = self.o, h = self.h, db = self.db, e = entries}))
  redis.set_repl(redis.REPL_AOF)
end

-- A register write: value v (nil deletes), with TTL ms-at x (nil: none; false: keep the current one).
function Ctx:write_string(key, st, v, x)
  st.rh, st.ro, st.b = self.h, self.o, totals(st)
  st.d, st.v = v == nil, v
  if x ~= false then st.x, st.xh, st.xo = x or 0, self.h, self.o end
  self:put(key, st)
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
  local st, terr = c:string_state(key)
  if st == nil then
    if opt.get then return redis.error_reply(terr) end
    st = fresh('s', c.h, c.o)  -- SET replaces a key of any type: a type change at this stamp
    st.retype = true
  end
  local old = string_value(st, c.now)
  local reply = redis.status_reply('OK')
  if opt.get then reply = old or false end
  if (opt.nx and old ~= nil) or (opt.xx and old == nil) then
    if opt.get then return reply end
    return false
  end
  c:write_string(key, st, value, opt.x)
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
  local st = c:string_state(args[1])
  if st == nil then st = fresh('s', c.h, c.o); st.retype = true end
  c:write_string(args[1], st, args[3], c.now + n * unit)
  return redis.status_reply('OK')
end
commands.SETEX = function(c, args) return setex(c, args, 'setex', 1000) end
commands.PSETEX = function(c, args) return setex(c, args, 'psetex', 1) end

commands.GETSET = function(c, args)
  local e = arity(args, 2, 'getset'); if e then return redis.error_reply(e) end
  local st, terr = c:string_state(args[1])
  if st == nil then return redis.error_reply(terr) end
  local old = string_value(st, c.now)
  c:write_string(args[1], st, args[2], nil)
  return old or false
end

commands.GETDEL = function(c, args)
  local e = arity(args, 1, 'getdel'); if e then return redis.error_reply(e) end
  local st, terr = c:string_state(args[1])
  if st == nil then return redis.error_reply(terr) end
  local old = string_value(st, c.now)
  if old == nil then return false end
  c:write_string(args[1], st, nil, nil)
  return old
end

commands.MSET = function(c, args)
  if #args == 0 or #args % 2 ~= 0 then return redis.error_reply("ERR wrong number of arguments for 'mset' command") end
  for i = 1, #args, 2 do
    local st = c:string_state(args[i])
    if st == nil then st = fresh('s', c.h, c.o); st.retype = true end
    c:write_string(args[i], st, args[i + 1], nil)
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
  local st, terr = c:string_state(args[1])
  if st == nil then return redis.error_reply(terr) end
  local v = (string_value(st, c.now) or '') .. args[2]
  c:write_string(args[1], st, v, false)
  return #v
end

commands.SETRANGE = function(c, args)
  local e = arity(args, 3, 'setrange'); if e then return redis.error_reply(e) end
  local offset = parse_int(args[2])
  if offset == nil then return redis.error_reply(E_NOT_INT) end
  if offset < 0 then return redis.error_reply('ERR offset is out of range') end
  if offset + #args[3] > 512 * 1024 * 1024 then return redis.error_reply('ERR string exceeds maximum allowed size (proto-max-bulk-len)') end
  local st, terr = c:string_state(args[1])
  if st == nil then return redis.error_reply(terr) end
  local old = string_value(st, c.now)
  if #args[3] == 0 then return old and #old or 0 end
  old = old or ''
  if #old < offset then old = old .. string.rep('\0', offset - #old) end
  local v = string.sub(old, 1, offset) .. args[3] .. string.sub(old, offset + #args[3] + 1)
  c:write_string(args[1], st, v, false)
  return #v
end

-- An increment at this origin: counted once everywhere (its total for this origin, by stamp).
local function incr(c, key, by, float)
  local st, terr = c:string_state(key)
  if st == nil then return redis.error_reply(terr) end
  local cur = string_value(st, c.now)
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
  if cur == nil and not st.d then
    -- no value and no delete yet (a fresh key): an empty register, so that the counter starts from 0
    st.rh, st.ro, st.d, st.v, st.b = c.h, c.o, true, nil, totals(st)
  end
  local mine = st.c[c.o]
  local total = (mine and mine.n or 0) + by
  st.c[c.o] = {h = c.h, n = total}
  c:put(key, st)
  if float then return string_value(st, c.now) end
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
      c:delete_all(key, st)
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
    c:delete_all(args[1], st)
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
  local st, terr = c:string_state(args[1])
  if st == nil then return redis.error_reply(terr) end
  local v = string_value(st, c.now)
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
  local ms = st.m[field] or load_member(c.db, key, 'h', field) or fresh_field()
  st.m[field] = ms
  return ms
end

local function hset(c, args, cmd)
  if #args < 3 or #args % 2 ~= 1 then return nil, "ERR wrong number of arguments for '" .. cmd .. "' command" end
  local st, terr = c:typed_state(args[1], 'h')
  if st == nil then return nil, terr end
  local added = 0
  for i = 2, #args, 2 do
    local ms = hash_field(c, args[1], st, args[i])
    if string_value(ms, c.now) == nil then added = added + 1 end
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
  local st, terr = c:typed_state(args[1], 'h')
  if st == nil then return redis.error_reply(terr) end
  if not st.retype and string_value(hash_field(c, args[1], st, args[2]), c.now) ~= nil then return 0 end
  return commands.HSET(c, args)
end

commands.HDEL = function(c, args)
  local e = arity(args, 2, 'hdel', true); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 'h')
  if st == nil then return redis.error_reply(terr) end
  if st.retype then return 0 end
  local n = 0
  for i = 2, #args do
    local ms = hash_field(c, args[1], st, args[i])
    if string_value(ms, c.now) ~= nil then
      ms.rh, ms.ro, ms.b, ms.d, ms.v = c.h, c.o, totals(ms), true, nil
      n = n + 1
    else
      st.m[args[i]] = nil
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
  local cur = string_value(ms, c.now)
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
  if float then return string_value(ms, c.now) end
  return result
end
commands.HINCRBY = function(c, args) return hincr(c, args, 'hincrby', false) end
commands.HINCRBYFLOAT = function(c, args) return hincr(c, args, 'hincrbyfloat', true) end

-- Sets: add wins over a concurrent remove (a remove takes out only the adds it has seen).

local function set_member(c, key, st, member)
  local ms = st.m[member] or load_member(c.db, key, 'S', member) or {}
  st.m[member] = ms
  return ms
end

commands.SADD = function(c, args)
  local e = arity(args, 2, 'sadd', true); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 'S')
  if st == nil then return redis.error_reply(terr) end
  local added = 0
  for i = 2, #args do
    local ms = set_member(c, args[1], st, args[i])
    if not set_member_in(ms) then added = added + 1 end
    local mine = ms[c.o]
    if mine == nil then ms[c.o] = {a = c.h, r = 0} else mine.a = c.h end
  end
  c:put(args[1], st)
  return added
end

commands.SREM = function(c, args)
  local e = arity(args, 2, 'srem', true); if e then return redis.error_reply(e) end
  local st, terr = c:typed_state(args[1], 'S')
  if st == nil then return redis.error_reply(terr) end
  if st.retype then return 0 end
  local n = 0
  for i = 2, #args do
    local ms = set_member(c, args[1], st, args[i])
    if set_member_in(ms) then
      for _, x in pairs(ms) do x.r = x.a end
      n = n + 1
    else
      st.m[args[i]] = nil
    end
  end
  if n > 0 then c:put(args[1], st) end
  return n
end

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
  local rest = {}
  for i = 5, #args do rest[#rest + 1] = args[i] end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local h = clock_tick(wall)
  local c = new_ctx(origin, h, db, now_ms())
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
  clock_observe(op.h)
  local now = now_ms()
  for _, entry in ipairs(op.e or {}) do
    local key, s = entry[1], entry[2]
    local mine = load(op.db, key)
    local was_expired = mine ~= nil and expired(mine, now)
    local st, retype = join(op.db, key, mine, s)
    store(op.db, key, st, retype)
    if st.t ~= 's' and was_expired and not expired(st, now) then
      -- a later expiry (or none) arrived after the key expired here: every member is written again
      load_all_members(op.db, key, st)
      retype = true
    end
    materialize(op.db, key, st, now, retype)
  end
  return 1
end}

redis.register_function{function_name = 'redissync_tick', callback = function(_, args)
  local origin, wall = args[1], wall_arg(args[2])
  if origin == nil or wall == nil then return redis.error_reply('ERR redissync_tick: <origin> <wall-ms> expected') end
  redis.set_repl(redis.REPL_AOF)
  redis.call('SELECT', META_DB)
  local c = new_ctx(origin, clock_tick(wall), 0, 0)
  redis.set_repl(redis.REPL_REPLICA)
  redis.call('SPUBLISH', OP_CHANNEL, cmsgpack.pack({o = c.o, h = c.h, db = 0, e = {}}))
  return c.h
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
  if st.t ~= 's' then load_all_members(db, args[2], st) end
  return canonical(st)
end}
