#!/usr/bin/env python3
"""Runs a rendered kustomize overlay under `podman kube play`, as close to Kubernetes as podman 4.3 gets.

    deploy/k8s/kube-play up   [--overlay local] [--timeout 300]   render, play, wait until every pod is ready
    deploy/k8s/kube-play down                                      remove everything `up` created

podman plays Pods, Deployments and PersistentVolumeClaims; everything else is translated here:

* Service      -> DNS: each workload is played on its own with `--network <net>:alias=<service>` for every
                  Service whose selector matches it (StatefulSet pods also get `<pod>.<serviceName>`).
* StatefulSet  -> one Pod per replica (`<name>-<i>`), volumeClaimTemplates -> PVCs `<claim>-<name>-<i>`.
* Secret       -> a podman secret of the same name (podman 4.3 wants `optional: false` on secret volumes and
                  the values undecoded), ConfigMap -> `--configmap` files.
* emptyDir     -> podman makes a *named* volume of it: renamed per pod so two pods never share one.
* readinessProbe -> podman ignores it; `up` runs each probe itself (httpGet with curl, exec as is) until all pass.
* NetworkPolicy, Namespace -> not enforced by podman (listed, skipped).

* initContainers -> run to completion with `podman run` on the pod's volumes before the pod is played
                  (podman 4.3 gives up on an init container after ~20 s and fails the pod).
Workloads without init containers start first; those with init containers (they fetch the CA from
cert-service) once the first are ready.
State (what to remove) is in $REDISSYNC_KUBE_PLAY_HOME (default <repo>/.kube-play).
"""
import argparse
import base64
import copy
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("REDISSYNC_KUBE_PLAY_HOME", REPO / ".kube-play"))
NETWORK = os.environ.get("REDISSYNC_KUBE_PLAY_NETWORK", "redis-sync-kube")


def log(msg):
    print(f"kube-play: {msg}", flush=True)


def run(*cmd, check=True, capture=True, timeout=None):
    r = subprocess.run(cmd, text=True, capture_output=capture, timeout=timeout)
    if check and r.returncode != 0:
        raise SystemExit(f"kube-play: {' '.join(cmd)} failed ({r.returncode}): {(r.stderr or '').strip()[-2000:]}")
    return r


def render(overlay):
    make_secrets = REPO / "deploy/k8s/overlays" / overlay / "make-secrets"
    if make_secrets.exists():  # the overlay's run-time secrets (Kafka's PKI and users), never committed
        run(str(make_secrets))
    out = run("kubectl", "kustomize", str(REPO / "deploy/k8s/overlays" / overlay)).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pod_spec_fixups(spec, pod_name, pvc_names):
    """Secret volumes need optional: false; emptyDirs become per-pod named volumes (podman names them);
    containerPorts go (podman 4.3 publishes each on the host, where two pods would collide)."""
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        c.pop("ports", None)
    for v in spec.get("volumes", []):
        if "secret" in v:
            v["secret"].setdefault("optional", False)
        if "emptyDir" in v:
            new = f"{pod_name}-{v['name']}"
            v.pop("emptyDir")
            v["persistentVolumeClaim"] = {"claimName": new}
            pvc_names.append(new)


def translate(docs):
    """Returns (workloads, secrets, configmaps, skipped); a workload is a dict with name, kind, doc, aliases, pvcs."""
    services = [d for d in docs if d["kind"] == "Service"]
    secrets = [d for d in docs if d["kind"] == "Secret"]
    configmaps = [d for d in docs if d["kind"] == "ConfigMap"]
    claims = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PersistentVolumeClaim"}
    skipped = [f"{d['kind']}/{d['metadata']['name']}" for d in docs
               if d["kind"] not in ("Service", "Secret", "ConfigMap", "PersistentVolumeClaim", "Deployment", "StatefulSet")]
    workloads = []
    for d in docs:
        if d["kind"] not in ("Deployment", "StatefulSet"):
            continue
        name = d["metadata"]["name"]
        template = d["spec"]["template"]
        labels = template["metadata"].get("labels", {})
        aliases = [s["metadata"]["name"] for s in services if matches(s["spec"].get("selector"), labels)]
        if d["kind"] == "Deployment":
            doc = copy.deepcopy(d)
            doc["spec"]["replicas"] = 1
            pod = f"{name}-pod-0"
            pvcs = []
            probes = copy.deepcopy(doc["spec"]["template"]["spec"])
            pod_spec_fixups(doc["spec"]["template"]["spec"], name, pvcs)
            needed = [v["persistentVolumeClaim"]["claimName"] for v in doc["spec"]["template"]["spec"].get("volumes", [])
                      if "persistentVolumeClaim" in v]
            claim_docs = [claims[c] for c in needed if c in claims] + [empty_claim(c) for c in pvcs]
            workloads.append(dict(name=name, pod=pod, doc=doc, aliases=aliases, claims=claim_docs, spec=probes))
        else:
            for i in range(d["spec"].get("replicas", 1)):
                pod_name = f"{name}-{i}"
                spec = copy.deepcopy(template["spec"])
                spec["hostname"] = pod_name
                probes = copy.deepcopy(spec)
                pvcs = []
                pod_spec_fixups(spec, pod_name, pvcs)
                claim_docs = [empty_claim(c) for c in pvcs]
                for t in d["spec"].get("volumeClaimTemplates", []):
                    claim = f"{t['metadata']['name']}-{pod_name}"
                    claim_docs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": claim},
                                       "spec": t["spec"]})
                    spec.setdefault("volumes", []).append({"name": t["metadata"]["name"],
                                                           "persistentVolumeClaim": {"claimName": claim}})
                doc = {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": pod_name, "labels": dict(labels)}, "spec": spec}
                pod_aliases = aliases + [f"{pod_name}.{d['spec']['serviceName']}"]
                workloads.append(dict(name=pod_name, pod=pod_name, doc=doc, aliases=pod_aliases, claims=claim_docs,
                                      spec=probes))
    return workloads, secrets, configmaps, skipped


def empty_claim(name):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Mi"}}}}


def podman_secret(doc):
    data = {k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()}
    data.update(doc.get("stringData") or {})
    return json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": doc["metadata"]["name"]}, "data": data})


def state():
    f = HOME / "state.json"
    return json.loads(f.read_text()) if f.exists() else {"files": [], "secrets": [], "volumes": [], "network": None}


def save(st):
    HOME.mkdir(parents=True, exist_ok=True)
    (HOME / "state.json").write_text(json.dumps(st, indent=1))


def probe_ok(pod, container):
    probe = container.get("readinessProbe")
    if not probe:
        return True
    ctr = f"{pod}-{container['name']}"
    if "httpGet" in probe:
        port = probe["httpGet"]["port"]
        if isinstance(port, str):
            port = next(p["containerPort"] for p in container.get("ports", []) if p.get("name") == port)
        cmd = ["curl", "-fsS", "-o", "/dev/null", f"http://localhost:{port}{probe['httpGet'].get('path', '/')}"]
    elif "exec" in probe:
        cmd = probe["exec"]["command"]
    elif "tcpSocket" in probe:
        cmd = ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{probe['tcpSocket']['port']}"]
    else:
        return True
    return run("podman", "exec", ctr, *cmd, check=False, timeout=20).returncode == 0


def pod_template_spec(w):
    return w["doc"]["spec"]["template"]["spec"] if w["doc"]["kind"] == "Deployment" else w["doc"]["spec"]


def run_init_containers(w, st):
    """Runs the pod's init containers to completion with `podman run`, on the pod's volumes, then drops them
    from the pod (podman 4.3 gives up on an init container after ~20 s and then fails the whole pod)."""
    spec = pod_template_spec(w)
    inits = spec.pop("initContainers", [])
    if not inits:
        return
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    user = spec.get("securityContext", {}).get("runAsUser")
    for claim in w["claims"]:
        name = claim["metadata"]["name"]
        if run("podman", "volume", "exists", name, check=False).returncode != 0:
            run("podman", "volume", "create", name)
        st["volumes"].append(name)
    w["claims"] = []  # created above; the pod refers to them by claim name
    save(st)
    for c in inits:
        mounts = []
        for m in c.get("volumeMounts", []):
            v = volumes[m["name"]]
            if "persistentVolumeClaim" not in v:
                raise SystemExit(f"kube-play: init container {c['name']} of {w['name']} mounts {m['name']}, "
                                 "which is not a volume kube-play can hand to podman run")
            mounts += ["-v", f"{v['persistentVolumeClaim']['claimName']}:{m['mountPath']}:U"]
        cmd = ["podman", "run", "--rm", "--network", NETWORK, *mounts]
        if user is not None:
            cmd += ["--user", str(user)]
        if c.get("command"):  # Kubernetes' command replaces the image's ENTRYPOINT
            cmd += ["--entrypoint", json.dumps(c["command"])]
        cmd += [c["image"], *c.get("args", [])]
        t0 = time.time()
        run(*cmd, timeout=300)
        log(f"init container {c['name']} of {w['name']} done in {time.time() - t0:.1f} s")


def play(w, st, configmap_files):
    run_init_containers(w, st)
    f = HOME / f"{w['name']}.yaml"
    f.write_text(yaml.safe_dump_all(w["claims"] + [w["doc"]]))
    st["files"].append(str(f))
    st["volumes"].extend(c["metadata"]["name"] for c in w["claims"])
    save(st)
    net = NETWORK + "".join(f",alias={a}" if i else f":alias={a}" for i, a in enumerate(w["aliases"]))
    t0 = time.time()
    cm_args = [a for c in configmap_files for a in ("--configmap", str(c))]
    run("podman", "kube", "play", "--network", net, *cm_args, str(f), timeout=300)
    log(f"played {w['name']} (aliases {', '.join(w['aliases'])}) in {time.time() - t0:.1f} s")


def wait_ready(workloads, timeout):
    deadline = time.time() + timeout
    pending = {w["name"]: w for w in workloads}
    while pending:
        for name, w in list(pending.items()):
            if all(probe_ok(w["pod"], c) for c in w["spec"]["containers"]):
                log(f"ready: {name}")
                del pending[name]
        if pending and time.time() > deadline:
            for name, w in pending.items():
                for c in w["spec"]["containers"]:
                    logs = run("podman", "logs", "--tail", "15", f"{w['pod']}-{c['name']}", check=False)
                    print(f"--- {w['pod']}-{c['name']}:\n{logs.stdout}{logs.stderr}", file=sys.stderr)
            raise SystemExit(f"kube-play: not ready within {timeout} s: {', '.join(pending)}")
        if pending:
            time.sleep(2)


def up(args):
    if (HOME / "state.json").exists():
        down(None)
    HOME.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    docs = render(args.overlay)
    workloads, secrets, configmaps, skipped = translate(docs)
    log(f"overlay {args.overlay}: {len(workloads)} pods, {len(secrets)} secrets, {len(configmaps)} config maps; "
        f"not enforced by podman: {', '.join(skipped)}")
    st = {"files": [], "secrets": [], "volumes": [], "network": NETWORK}
    save(st)
    run("podman", "network", "create", NETWORK)
    for s in secrets:
        f = HOME / f"secret-{s['metadata']['name']}.json"
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(podman_secret(s))
        st["secrets"].append(s["metadata"]["name"])
        save(st)
        run("podman", "secret", "create", s["metadata"]["name"], str(f))
        f.unlink()
    configmap_files = []
    for c in configmaps:  # podman reads one ConfigMap per --configmap file
        f = HOME / f"configmap-{c['metadata']['name']}.yaml"
        f.write_text(yaml.safe_dump(c))
        configmap_files.append(f)
    st["volumes"].extend(c["metadata"]["name"] for c in configmaps)
    save(st)
    first = [w for w in workloads if not w["spec"].get("initContainers")]
    then = [w for w in workloads if w["spec"].get("initContainers")]
    for w in first:
        play(w, st, configmap_files)
    wait_ready(first, args.timeout)
    for w in then:
        play(w, st, configmap_files)
    wait_ready(then, args.timeout)
    log(f"all {len(workloads)} pods ready in {time.time() - t0:.0f} s")


def down(_args):
    st = state()
    files = [f for f in reversed(st.get("files", [])) if Path(f).exists()]
    with ThreadPoolExecutor(max_workers=6) as pool:  # each pod's stop waits on its own containers
        list(pool.map(lambda f: run("podman", "kube", "down", f, check=False, timeout=120), files))
    for f in files:
        Path(f).unlink()
    for s in st.get("secrets", []):
        run("podman", "secret", "rm", s, check=False)
    # kube play names volumes after claims, emptyDirs (renamed per pod), secrets and config maps.
    for v in set(st.get("volumes", [])) | set(st.get("secrets", [])):
        run("podman", "volume", "rm", "-f", v, check=False)
    if st.get("network"):
        run("podman", "network", "rm", "-f", st["network"], check=False)
    for f in HOME.glob("*"):
        f.unlink()
    log("down")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up")
    u.add_argument("--overlay", default="local")
    u.add_argument("--timeout", type=int, default=300)
    sub.add_parser("down")
    a = p.parse_args()
    {"up": up, "down": down}[a.cmd](a)


if __name__ == "__main__":
    main()
