#!/usr/bin/env python3
"""What the schemas cannot say about deploy/kubernetes/: that the pieces fit together.

    check-kubernetes-manifests.py DIR [SPECS_DIR]   (PyYAML: run with .build-k8s-venv/bin/python)

- every file parses as YAML (kustomization.yaml lists files that exist);
- the shards Job is Indexed with parallelism = completions = n, and its command runs
  `accord load /specs --target … --shard "$JOB_COMPLETION_INDEX/n" --start-at "$START_AT"
  --json "/results/shard-$JOB_COMPLETION_INDEX.json"`, with /specs from the accord-specs
  ConfigMap and /results from the ReadWriteMany claim;
- the merge Job runs `accord merge /results/shard-*.json --reports /results/report
  --database-url "$DATABASE_URL" --redis-url "$REDIS_URL"` through a shell (for the glob),
  with the specs mounted where the shards had them (the merge reads them from those paths);
- the server Deployment has 2 replicas, probes on /health, resources, and the Service selects it
  on the port the shards target;
- every Secret and ConfigMap key a pod reads exists in secret.example.yaml / shards-config.yaml;
- every pod names the same image; every container has requests and limits, and runs as non-root;
- with SPECS_DIR: the accord-specs ConfigMap made from it fits in a ConfigMap (1 MiB).

Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import sys

import yaml

problems = []


def problem(message):
    problems.append(message)


def load_all(directory):
    documents = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as handle:
                documents[name] = [d for d in yaml.safe_load_all(handle) if d is not None]
        except yaml.YAMLError as error:
            problem(f"{name}: not valid YAML: {error}")
    return documents


def find(documents, kind, name):
    for file, docs in documents.items():
        for doc in docs:
            if doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name:
                return file, doc
    problem(f"no {kind} named {name} in any manifest")
    return None, None


def pod_spec(doc):
    if doc["kind"] in ("Job", "Deployment"):
        return doc["spec"]["template"]["spec"]
    if doc["kind"] == "Pod":
        return doc["spec"]
    return None


def container_script(container):
    """The shell text of a `command: [/bin/sh, -c]` container, else None."""
    command = container.get("command", []) + container.get("args", [])
    if command[:2] == ["/bin/sh", "-c"] and len(command) == 3:
        return command[2]
    return None


def require_flags(where, text, pairs):
    """Each (flag, value) must appear as `flag value` (value quoted or not) in text."""
    words = " ".join(text.split())
    for flag, value in pairs:
        pattern = re.escape(flag) + r"\s+" + r'"?' + re.escape(value) + r'"?(\s|$)'
        if not re.search(pattern, words):
            problem(f"{where}: expected `{flag} {value}` in its command: {words}")


def check_mounts(where, spec, container, expected):
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    for path, (source, name) in expected.items():
        volume = volumes.get(mounts.get(path, ""), {})
        actual = (volume.get(source) or {}).get("claimName" if source == "persistentVolumeClaim" else "name")
        if actual != name:
            problem(f"{where}: {path} must be mounted from {source} {name}, not {volume or 'nothing'}")


def main():
    directory = sys.argv[1]
    specs = sys.argv[2] if len(sys.argv) > 2 else None
    documents = load_all(directory)

    kustomization = documents.get("kustomization.yaml", [{}])[0]
    for resource in kustomization.get("resources", []):
        if not os.path.exists(os.path.join(directory, resource)):
            problem(f"kustomization.yaml lists {resource}, which does not exist")

    _, secret = find(documents, "Secret", "accord-secrets")
    _, settings = find(documents, "ConfigMap", "accord-shards")
    secret_keys = set((secret or {}).get("stringData", {})) | set((secret or {}).get("data", {}))
    settings_keys = set((settings or {}).get("data", {}))

    # The shards: an Indexed Job whose n agrees with --shard's.
    file, shards = find(documents, "Job", "accord-shards")
    if shards:
        spec = shards["spec"]
        if spec.get("completionMode") != "Indexed":
            problem(f"{file}: completionMode must be Indexed (JOB_COMPLETION_INDEX numbers the shards)")
        n = spec.get("completions")
        if spec.get("parallelism") != n:
            problem(f"{file}: parallelism ({spec.get('parallelism')}) must equal completions ({n}): every shard runs at once")
        template = pod_spec(shards)
        if template.get("restartPolicy") != "Never":
            problem(f"{file}: restartPolicy must be Never")
        if not (0 <= spec.get("backoffLimit", 6) <= 2):
            problem(f"{file}: backoffLimit should be small (0 to 2), not {spec.get('backoffLimit', 6)}")
        container = template["containers"][0]
        script = container_script(container)
        if script is None:
            problem(f"{file}: the shard container must run `/bin/sh -c 'exec accord load …'`")
        else:
            words = " ".join(script.split())
            if not words.startswith("exec accord load /specs "):
                problem(f"{file}: the shard command must start `exec accord load /specs`: {words}")
            require_flags(file, script, [
                ("--shard", f"$JOB_COMPLETION_INDEX/{n}"),
                ("--start-at", "$START_AT"),
                ("--json", "/results/shard-$JOB_COMPLETION_INDEX.json"),
            ])
            if not re.search(r"--target\s+http://accord-serve:8080(\s|$)", words):
                problem(f"{file}: the shards must --target http://accord-serve:8080 (the Service)")
        check_mounts(file, template, container, {
            "/specs": ("configMap", "accord-specs"),
            "/results": ("persistentVolumeClaim", "accord-results"),
        })

    # The merge: a shell for the glob, over every shard's document.
    file, merge = find(documents, "Job", "accord-merge")
    if merge:
        template = pod_spec(merge)
        container = template["containers"][0]
        script = container_script(container)
        if script is None:
            problem(f"{file}: the merge must run through /bin/sh -c, so the glob expands")
        else:
            words = " ".join(script.split())
            if "exec accord merge /results/shard-*.json " not in words:
                problem(f"{file}: expected `exec accord merge /results/shard-*.json` in: {words}")
            require_flags(file, script, [
                ("--reports", "/results/report"),
                ("--database-url", "$DATABASE_URL"),
                ("--redis-url", "$REDIS_URL"),
            ])
        if template.get("restartPolicy") != "Never":
            problem(f"{file}: restartPolicy must be Never")
        # The merge reads the specs from the paths the shards recorded: the same mount.
        check_mounts(file, template, container, {
            "/specs": ("configMap", "accord-specs"),
            "/results": ("persistentVolumeClaim", "accord-results"),
        })

    # The server and its Service.
    file, serve = find(documents, "Deployment", "accord-serve")
    _, service = find(documents, "Service", "accord-serve")
    if serve:
        if serve["spec"].get("replicas") != 2:
            problem(f"{file}: accord-serve should run 2 replicas")
        container = pod_spec(serve)["containers"][0]
        for probe in ("readinessProbe", "livenessProbe"):
            if (container.get(probe) or {}).get("httpGet", {}).get("path") != "/health":
                problem(f"{file}: {probe} must ask /health")
        labels = serve["spec"]["template"]["metadata"]["labels"]
        if service:
            selector = service["spec"]["selector"]
            if any(labels.get(k) != v for k, v in selector.items()):
                problem(f"{file}: the Service's selector {selector} does not select the Deployment's pods {labels}")
            if 8080 not in [p["port"] for p in service["spec"]["ports"]]:
                problem(f"{file}: the Service must listen on 8080, the port the shards target")

    _, claim = find(documents, "PersistentVolumeClaim", "accord-results")
    if claim and "ReadWriteMany" not in claim["spec"].get("accessModes", []):
        problem("the accord-results claim must be ReadWriteMany: shards on several nodes write to it")

    # Every pod: one image, keys that exist, resources, non-root.
    images = {}
    for file, docs in documents.items():
        for doc in docs:
            spec = pod_spec(doc) if isinstance(doc, dict) and "kind" in doc else None
            for container in (spec or {}).get("containers", []):
                images.setdefault(container.get("image"), []).append(f"{file} ({container['name']})")
    if len(images) > 1:
        problem(f"the pods name different images (replace every image: line together): {images}")
    for file, docs in documents.items():
        for doc in docs:
            spec = pod_spec(doc) if isinstance(doc, dict) and "kind" in doc else None
            if not spec:
                continue
            where = f"{file} ({doc['kind']} {doc['metadata']['name']})"
            if not spec.get("securityContext", {}).get("runAsNonRoot"):
                problem(f"{where}: must run as non-root")
            for container in spec["containers"]:
                resources = container.get("resources", {})
                if not resources.get("requests") or not resources.get("limits"):
                    problem(f"{where}: container {container['name']} needs resource requests and limits")
                for variable in container.get("env", []):
                    source = variable.get("valueFrom", {})
                    if "secretKeyRef" in source and source["secretKeyRef"]["key"] not in secret_keys:
                        problem(f"{where}: {variable['name']} reads Secret key {source['secretKeyRef']['key']}, not in secret.example.yaml")
                    if "configMapKeyRef" in source and source["configMapKeyRef"]["name"] == "accord-shards" \
                            and source["configMapKeyRef"]["key"] not in settings_keys:
                        problem(f"{where}: {variable['name']} reads ConfigMap key {source['configMapKeyRef']['key']}, not in shards-config.yaml")

    if specs:
        total = sum(os.path.getsize(os.path.join(specs, f)) for f in os.listdir(specs) if os.path.isfile(os.path.join(specs, f)))
        if total > 1_000_000:
            problem(f"{specs}: {total} bytes, more than a ConfigMap holds (1 MiB)")

    for message in problems:
        print(f"check-kubernetes-manifests: {message}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-kubernetes-manifests: {sum(len(d) for d in documents.values())} documents in {len(documents)} files fit together")
    return 0


if __name__ == "__main__":
    sys.exit(main())
