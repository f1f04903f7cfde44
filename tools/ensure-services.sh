#!/usr/bin/env bash
# Start any of PostgreSQL, MariaDB, RabbitMQ, Redis that is down on this machine and
# wait until each answers; install openssh-server (for the std.ssh tests) when missing.
# Exits non-zero, naming the service, when one cannot be had.
set -u
fail=0

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # name port seconds
  for _ in $(seq "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "ensure-services: $1 is not answering on 127.0.0.1:$2" >&2
  return 1
}

# OpenSSH server binary for the std.ssh tests (they start their own sshd on a free port)
if [ ! -x /usr/sbin/sshd ] && [ "$(id -u)" = 0 ]; then
  echo "ensure-services: installing openssh-server" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server; } \
    >/tmp/ensure-services-sshd.log 2>&1 || { echo "ensure-services: cannot install openssh-server (see /tmp/ensure-services-sshd.log)" >&2; fail=1; }
fi

if ! port_open 5432; then
  echo "ensure-services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! port_open 3306; then
  echo "ensure-services: starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if ! port_open 6379; then
  echo "ensure-services: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! port_open 5672; then
  echo "ensure-services: starting RabbitMQ" >&2
  rabbitmq-server -detached || true
fi

wait_port PostgreSQL 5432 60 || fail=1
wait_port MariaDB 3306 60 || fail=1
wait_port Redis 6379 30 || fail=1
wait_port RabbitMQ 5672 90 || fail=1
exit $fail
