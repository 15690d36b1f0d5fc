#!/usr/bin/env bash
# Builds Gatelab's image with podman, starts it, waits for its health check, trains a short
# run through its HTTP interface, and removes what it started. For machines without a Docker
# engine; on one with Docker, `docker build` / `docker run` work on the same Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${GATELAB_TEST_PORT:-18050}
NAME=gatelab-container-test
IMAGE=localhost/gatelab:test
P="podman --storage-driver vfs"
RUN=(--runtime runc --cgroup-manager cgroupfs)
LIMITS=(--network host --ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null; break; }
done

# A local Debian base with Python 3.11 (bookworm's). Its tag carries a hash of the function that
# makes it, so a changed recipe always builds a new base and a stale one is never reused.
make_base() {
  local mirror rootfs
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
  rootfs=$(mktemp -d)
  echo "making the base image $1 from $mirror"
  as_root debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$rootfs" "$mirror" >/dev/null
  # mktemp -d makes the folder 0700, and the folder becomes the image's "/": a non-root user could
  # then reach no file at all (not even /bin/sh). A root file system is 0755.
  as_root chmod 0755 "$rootfs"
  tar -C "$rootfs" -c . | $P import - "$1" >/dev/null
  as_root rm -rf "$rootfs"
}
BASE="localhost/gatelab-base:$(declare -f make_base | sha256sum | cut -c1-12)"
$P image exists "$BASE" || make_base "$BASE"
[ "$($P "${RUN[@]}" run --rm "${LIMITS[@]}" "$BASE" stat -c %a /)" = 755 ] \
  || { echo "the base image's / is not mode 755"; exit 1; }

# pip inside the build reaches the registry with this machine's CA bundle, and finds torch's
# CPU wheel in this machine's wheel folder when there is one.
ca=$(python3 -m pip config get global.cert 2>/dev/null || true)
[ -n "$ca" ] || ca=/etc/ssl/certs/ca-certificates.crt
build_args=(--build-arg BASE="$BASE" --build-arg PIP_CERT="$ca")
mounts=(-v "$ca:$ca:ro")
if ls /opt/wheels/torch-*cpu*.whl >/dev/null 2>&1; then
  build_args+=(--build-arg TORCH_INDEX= --build-arg WHEELS=/wheels)
  mounts+=(-v /opt/wheels:/wheels:ro)
fi
# Each build re-tags $IMAGE, and the image it replaces stays behind untagged; with the vfs driver
# every layer is a whole copy of the file system, so those would fill the disk within days (they
# had reached 60 GB on this project's CI machine). Drop them before the build and after the test;
# the tagged image stays, so the next build reuses its unchanged layers.
prune() { $P image prune -f >/dev/null 2>&1 || true; }
prune
echo "building $IMAGE"
$P build --format docker --network host --isolation chroot "${mounts[@]}" "${build_args[@]}" -t "$IMAGE" . >/tmp/gatelab-build.log 2>&1 \
  || { tail -30 /tmp/gatelab-build.log; exit 1; }

cleanup() { $P "${RUN[@]}" rm -f -v "$NAME" >/dev/null 2>&1 || true; }
trap 'cleanup; prune' EXIT
cleanup
$P "${RUN[@]}" run -d --name "$NAME" "${LIMITS[@]}" -e GATELAB_PORT="$PORT" "$IMAGE" >/dev/null

echo "waiting for the health check"
for _ in $(seq 1 90); do
  if $P "${RUN[@]}" healthcheck run "$NAME" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 2
done
[ "${healthy:-}" = 1 ] || { echo "the container never became healthy"; $P logs "$NAME" | tail -30; exit 1; }
$P "${RUN[@]}" exec "$NAME" id -un | grep -qx gatelab

echo "training a short run over HTTP"
PYTHONPATH=tools .venv/bin/python - "$PORT" <<'PY'
import sys, urllib.request
from loadtest import DashClient, default_request
from loadtest import replay
client = DashClient(f"http://127.0.0.1:{sys.argv[1]}")
session = client.tab  # issued by the server with the page
client.heartbeat(session)
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/") as page:
    assert page.headers.get_all("Server") == ["Gatelab"], page.headers.get_all("Server")
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Content-Security-Policy"]
request = default_request(session, epochs=3)
seen = []
result = client.train(request, on_progress=seen.append)
assert result["request_id"] == request["id"], result["request_id"]
assert result["status"] == "done", result["status"]
assert [r["epochs"] for r in result["runs"]] == [3], result["runs"]
assert replay(client, session, result, 3) == 3  # its views read the run from the shelf in the container
print(f"container: trained 3 epochs, {len(seen)} progress updates, the run replayed from the server's shelf")
PY

echo "serving the image under a prefix, as behind a school's proxy"
cleanup
healthy=
$P "${RUN[@]}" run -d --name "$NAME" "${LIMITS[@]}" -e GATELAB_PORT="$PORT" -e GATELAB_URL_PREFIX=/gatelab/ "$IMAGE" \
  >/dev/null
for _ in $(seq 1 90); do
  if $P "${RUN[@]}" healthcheck run "$NAME" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 2
done
[ "${healthy:-}" = 1 ] || { echo "the container never became healthy"; $P logs "$NAME" | tail -30; exit 1; }
PYTHONPATH=tools .venv/bin/python - "$PORT" <<'PY'
import json, sys, urllib.error, urllib.request
from loadtest import DashClient, default_request
base = f"http://127.0.0.1:{sys.argv[1]}/gatelab"
client = DashClient(base)
client.heartbeat(client.tab)
result = client.train(default_request(client.tab, epochs=2))
assert result["status"] == "done" and [r["epochs"] for r in result["runs"]] == [2], result
with urllib.request.urlopen(f"{base}/healthz") as r:
    assert json.loads(r.read())["status"] == "ok"
with urllib.request.urlopen(f"{base}/assets/bootstrap.min.css") as r:
    assert r.status == 200
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_dash-layout")
    raise AssertionError("the page answered at the root too")
except urllib.error.HTTPError as e:
    assert e.code == 404, e.code
print("container: under /gatelab/, trained 2 epochs; its assets and /healthz there, nothing at the root")
PY
echo "container test passed"
