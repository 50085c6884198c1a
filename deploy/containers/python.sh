# Sourced: sets $PYTHON to a python3 that has PyYAML (the k8s scripts need it), or fails with the fix.
PYTHON=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then PYTHON=$p; break; fi
done
if [ -z "$PYTHON" ]; then
  echo "no python3 with PyYAML here (apt-get install python3-yaml)" >&2
  exit 1
fi
