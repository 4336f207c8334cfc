# Sourced by .ci/run. The container tests (tests/container) need a Docker daemon: docker_up
# installs Debian's docker.io when dockerd is missing and starts a daemon for this run when none
# answers; docker_down stops only a daemon docker_up started. Neither fails the run: without a
# daemon the container tests skip, and this says so loudly.
#
# The daemon needs no bridge network and no iptables rules (--bridge=none --iptables=false): the
# image is built without RUN steps and functions run with --network none. When the overlay2
# storage driver cannot work (a container without overlayfs), it falls back to vfs.

GP_DOCKERD_PID=""
GP_DOCKER_LOG="${TMPDIR:-/tmp}/gateway-pattern-dockerd.log"

gp_docker_loud() {
  printf '\n%s\n!!! %s\n%s\n\n' \
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' \
    "$*" \
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
}

# GP_ROOT is how to run a command as root: directly, or through passwordless sudo.
GP_ROOT=()
if [ "$(id -u)" != 0 ]; then
  GP_ROOT=(sudo -n)
fi

gp_as_root() {
  "${GP_ROOT[@]}" "$@"
}

gp_docker_answers() {
  command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

docker_up() {
  if gp_docker_answers; then
    echo "docker: a daemon already answers; the container tests use it"
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    echo "docker: installing Debian's docker.io (apt-get)"
    if ! { gp_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      gp_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io; } >"$GP_DOCKER_LOG" 2>&1; then
      gp_docker_loud "could not install docker.io (apt-get needs root or passwordless sudo): the CONTAINER TESTS WILL BE SKIPPED. $(tail -n 3 "$GP_DOCKER_LOG" | tr '\n' ' ')"
      return 1
    fi
  fi
  local group=()
  if [ "$(id -u)" != 0 ]; then
    group=(--group "$(id -gn)") # lets this user reach the socket of a daemon started through sudo
  fi
  local storage
  for storage in "" "--storage-driver=vfs"; do
    # shellcheck disable=SC2086 # $storage is empty or one flag
    "${GP_ROOT[@]}" dockerd --bridge=none --iptables=false "${group[@]}" $storage >"$GP_DOCKER_LOG" 2>&1 &
    GP_DOCKERD_PID=$! # dockerd itself, or the sudo that runs it and passes signals on
    local i
    for i in $(seq 60); do
      if gp_docker_answers; then
        echo "docker: started dockerd ${storage:+($storage) }for this run, pid $GP_DOCKERD_PID, log $GP_DOCKER_LOG"
        return 0
      fi
      kill -0 "$GP_DOCKERD_PID" 2>/dev/null || break
      sleep 1
    done
    docker_down
  done
  gp_docker_loud "dockerd did not start: the CONTAINER TESTS WILL BE SKIPPED. Last lines of $GP_DOCKER_LOG: $(tail -n 5 "$GP_DOCKER_LOG" | tr '\n' ' ')"
  return 1
}

docker_down() {
  [ -n "$GP_DOCKERD_PID" ] || return 0
  if kill -0 "$GP_DOCKERD_PID" 2>/dev/null; then
    gp_as_root kill -TERM "$GP_DOCKERD_PID" 2>/dev/null || true
    local i
    for i in $(seq 30); do
      kill -0 "$GP_DOCKERD_PID" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$GP_DOCKERD_PID" 2>/dev/null && gp_as_root kill -KILL "$GP_DOCKERD_PID" 2>/dev/null
  fi
  wait "$GP_DOCKERD_PID" 2>/dev/null || true
  echo "docker: stopped the dockerd this run started (pid $GP_DOCKERD_PID)"
  GP_DOCKERD_PID=""
}
