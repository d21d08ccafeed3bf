#!/usr/bin/env bash
# Validates deploy/kubernetes/ offline — no cluster runs here — against the Kubernetes API
# schemas (PyPI's kubernetes-validate, strict: unknown fields are errors), for the oldest
# Kubernetes the manifests need (1.31: podFailurePolicy is GA there) and the newest the pinned
# kubernetes-validate knows. Also validates the accord-specs ConfigMap as
# `kubectl create configmap accord-specs --from-file=specs/` makes it, proves the validator
# rejects a broken manifest, and checks that the pieces fit together
# (scripts/check-kubernetes-manifests.py).
#
#   bash scripts/validate-kubernetes.sh        (makes .build-k8s-venv/ on first use)
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VALIDATE_VERSION=1.37.0
KUBERNETES_VERSIONS=(1.31.0 1.37.0)
venv=.build-k8s-venv
manifests=deploy/kubernetes

if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$KUBERNETES_VALIDATE_VERSION"; then
    python3 -m venv "$venv" || { echo "validate-kubernetes: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install -q "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
        || { echo "validate-kubernetes: could not install kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The specs ConfigMap exactly as kubectl makes it from a directory: one key per regular file
# of specs/ (subdirectories skipped), named by the file.
"$venv/bin/python" - specs "$work/accord-specs.yaml" <<'EOF'
import os, sys, yaml
source, target = sys.argv[1], sys.argv[2]
data = {}
for name in sorted(os.listdir(source)):
    path = os.path.join(source, name)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            data[name] = handle.read()
document = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "accord-specs"}, "data": data}
with open(target, "w", encoding="utf-8") as handle:
    yaml.safe_dump(document, handle, sort_keys=True)
EOF

files=()
for file in "$manifests"/*.yaml; do
    # kustomization.yaml is kustomize's, not an API object: the fit check reads it.
    [ "$(basename "$file")" = kustomization.yaml ] || files+=("$file")
done
files+=("$work/accord-specs.yaml")

for version in "${KUBERNETES_VERSIONS[@]}"; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "${files[@]}" \
        || { echo "validate-kubernetes: the manifests do not validate against Kubernetes $version (above)" >&2; exit 1; }
    echo "validate-kubernetes: ${#files[@]} files valid against the Kubernetes $version schemas (strict)"
done

# The validator must catch a misspelt field, else the lines above prove nothing.
sed 's/completionMode: Indexed/completionMod: Indexed/' "$manifests/shards-job.yaml" > "$work/broken.yaml"
if "$venv/bin/kubernetes-validate" --strict --quiet -k "${KUBERNETES_VERSIONS[0]}" "$work/broken.yaml" >/dev/null 2>&1; then
    echo "validate-kubernetes: a Job with a misspelt field passed validation: the validator checks nothing" >&2
    exit 1
fi

"$venv/bin/python" scripts/check-kubernetes-manifests.py "$manifests" specs
