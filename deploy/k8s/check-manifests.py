#!/usr/bin/env python3
"""Renders every kustomize overlay offline and checks that what comes out holds together.

    deploy/k8s/check-manifests.py            (exit 0: all overlays fine; else a list of what is wrong)

Per overlay: `kubectl kustomize` succeeds; every object has apiVersion, kind and a DNS-1123 name; no two objects
share kind+name; every workload's selector matches its pod template; every Service selects some workload; every
ConfigMap, Secret and PersistentVolumeClaim a pod refers to is rendered too, or is one the overlay documents as
created outside it (EXTERNAL below); every volume is mounted by some container (a forgotten mount is a missing
file at run time); every probe's named port exists; every container runs as non-root; the coordinator is replaced
with strategy Recreate (one writer of desired state, never two versions in turn); Kafka authentication is on (every
service reads a Kafka client properties file; a broker the overlay runs is given its keystore). An overlay with a
make-secrets script (its run-time secrets, never committed) has it run first.
"""
import re
import subprocess
import sys
from pathlib import Path

import yaml

K8S = Path(__file__).resolve().parent
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
# Objects an overlay expects to exist without rendering them (operator-made secrets, Strimzi-made secrets).
EXTERNAL = {
    "local": set(),
    "production": {("Secret", "cert-service-secrets"), ("Secret", "crdb-coordinator-secrets"),
                   ("Secret", "syncer-secrets-cluster-a"), ("Secret", "syncer-secrets-cluster-b"),
                   ("Secret", "syncer-secrets-cluster-c"), ("Secret", "redis-sync-ca"),
                   ("Secret", "redis-sync-kafka-cluster-ca-cert"),
                   ("Secret", "redis-sync-cert-service"), ("Secret", "redis-sync-crdb-coordinator"),
                   ("Secret", "redis-sync-syncer-cluster-a"), ("Secret", "redis-sync-syncer-cluster-b"),
                   ("Secret", "redis-sync-syncer-cluster-c")},
}


def pod_templates(d):
    if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
        return [(d["spec"]["template"], d["spec"]["selector"]["matchLabels"])]
    if d["kind"] == "Pod":
        return [(d, None)]
    return []


def check(overlay):
    problems = []
    make_secrets = K8S / "overlays" / overlay / "make-secrets"
    if make_secrets.exists():
        m = subprocess.run([str(make_secrets)], text=True, capture_output=True)
        if m.returncode != 0:
            return [f"make-secrets failed: {m.stderr.strip()}"], 0
    r = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], text=True, capture_output=True)
    if r.returncode != 0:
        return [f"kubectl kustomize failed: {r.stderr.strip()}"], 0
    docs = [d for d in yaml.safe_load_all(r.stdout) if d]
    seen = set()
    for d in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                problems.append(f"an object without {key}: {str(d)[:80]}")
        name = d.get("metadata", {}).get("name", "")
        if not DNS1123.match(name) or len(name) > 253:
            problems.append(f"{d.get('kind')}/{name}: not a DNS-1123 name")
        if (d["kind"], name) in seen:
            problems.append(f"{d['kind']}/{name} twice")
        seen.add((d["kind"], name))
    have = seen | EXTERNAL[overlay]
    workload_labels = []
    for d in docs:
        for template, selector in pod_templates(d):
            labels = template["metadata"].get("labels", {})
            workload_labels.append(labels)
            who = f"{d['kind']}/{d['metadata']['name']}"
            if selector is not None and any(labels.get(k) != v for k, v in selector.items()):
                problems.append(f"{who}: selector {selector} does not match its template labels {labels}")
            spec = template["spec"]
            for v in spec.get("volumes", []):
                for kind, ref in (("ConfigMap", v.get("configMap", {}).get("name")),
                                  ("Secret", v.get("secret", {}).get("secretName")),
                                  ("PersistentVolumeClaim", v.get("persistentVolumeClaim", {}).get("claimName"))):
                    if ref and (kind, ref) not in have:
                        problems.append(f"{who}: volume {v['name']} refers to {kind}/{ref}, which is not there")
            mounts_ok = {v["name"] for v in spec.get("volumes", [])} | {
                t["metadata"]["name"] for t in d.get("spec", {}).get("volumeClaimTemplates", [])}
            mounted = {m["name"] for c in spec.get("containers", []) + spec.get("initContainers", [])
                       for m in c.get("volumeMounts", [])}
            for v in spec.get("volumes", []):
                if v["name"] not in mounted:
                    problems.append(f"{who}: volume {v['name']} is mounted by no container")
            if d["metadata"]["name"] == "kafka":
                env = {e["name"] for c in spec.get("containers", []) for e in c.get("env", [])}
                if "KAFKA_KEYSTORE_PEM" not in env or "KAFKA_PROVISIONING_FILE" not in env:
                    problems.append(f"{who}: the broker runs without authentication (no KAFKA_KEYSTORE_PEM / KAFKA_PROVISIONING_FILE)")
            sc = spec.get("securityContext", {})
            for c in spec.get("containers", []) + spec.get("initContainers", []):
                for m in c.get("volumeMounts", []):
                    if m["name"] not in mounts_ok:
                        problems.append(f"{who}/{c['name']}: mounts {m['name']}, which is no volume")
                ports = {p.get("name") for p in c.get("ports", [])}
                for probe in ("readinessProbe", "livenessProbe"):
                    for kind in ("httpGet", "tcpSocket"):
                        port = c.get(probe, {}).get(kind, {}).get("port")
                        if isinstance(port, str) and port not in ports:
                            problems.append(f"{who}/{c['name']}: {probe} uses port {port}, which it does not name")
                if not (sc.get("runAsNonRoot") or c.get("securityContext", {}).get("runAsNonRoot")):
                    problems.append(f"{who}/{c['name']}: may run as root (no runAsNonRoot)")
            for c in spec.get("containers", []):
                if "readinessProbe" not in c or "resources" not in c:
                    problems.append(f"{who}/{c['name']}: needs a readinessProbe and resources")
    for d in docs:
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("redis-sync-kafka"):
            if "redissync.kafka.client-properties-file=" not in d.get("data", {}).get("kafka.properties", ""):
                problems.append(f"ConfigMap/{d['metadata']['name']}: no redissync.kafka.client-properties-file: Kafka without "
                                "authentication")
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "crdb-coordinator":
            if d["spec"].get("strategy", {}).get("type") != "Recreate":
                problems.append("Deployment/crdb-coordinator: strategy must be Recreate (one writer of desired state)")
        if d["kind"] == "Service":
            sel = d["spec"].get("selector")
            if sel and not any(all(l.get(k) == v for k, v in sel.items()) for l in workload_labels):
                problems.append(f"Service/{d['metadata']['name']}: selects no workload ({sel})")
    return problems, len(docs)


def main():
    failed = False
    for overlay in sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir()):
        problems, n = check(overlay)
        if problems:
            failed = True
            print(f"overlay {overlay}: {len(problems)} problem(s)")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"overlay {overlay}: {n} objects, consistent")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
