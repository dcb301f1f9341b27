#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster the server tests use, and say where it is.
#
# The acceptance of the sync service asks for its tests on SQLite *and*
# PostgreSQL, so `make test` (target test-services) runs this first. It:
#   1. finds the cluster with pg_lsclusters (creating "<newest version> main"
#      with pg_createcluster if the machine has none);
#   2. starts it with pg_ctlcluster (a no-op when it is already online);
#   3. waits for pg_isready on the cluster's own port (read from pg_lsclusters,
#      never assumed to be 5432);
#   4. creates, idempotently, a login role "arxos" (CREATEDB, so each test can
#      make and drop its own database) and a database "arxos_test" it owns;
#   5. writes postgresql+psycopg://arxos:<pw>@127.0.0.1:<port>/arxos_test to
#      .test-postgres-url (gitignored). The Makefile hands it to pytest as
#      ARXOS_TEST_POSTGRES_URL; tests/server/conftest.py reads that.
#
# Running it twice, or on a machine where the cluster already runs, is fine: the
# password is kept in .test-postgres-url and re-applied, nothing is recreated.
#
# Cluster administration needs root (or sudo). Without either, outside CI, this
# prints why and exits 0: the PostgreSQL tests then skip with that reason. In CI
# (CI=true) it fails instead, because there the PostgreSQL tests must run.
#
# Environment:
#   ARXOS_TEST_POSTGRES_URL     already set: use that server, start nothing
#   ARXOS_SKIP_TEST_POSTGRES=1  do nothing (PostgreSQL tests skip, outside CI)
set -euo pipefail
cd "$(dirname "$0")/.."

URL_FILE=.test-postgres-url
ROLE=arxos
DB=arxos_test
READY_SECONDS=60

log() { printf 'test-postgres: %s\n' "$*"; }
die() { printf 'test-postgres: error: %s\n' "$*" >&2; exit 1; }
# Outside CI a missing PostgreSQL only skips its tests; in CI it is an error.
give_up() {
    rm -f "$URL_FILE" 2>/dev/null || true
    if [[ "${CI:-}" == true ]]; then
        die "$* (CI=true: the PostgreSQL tests must run)"
    fi
    log "$*"
    log "the PostgreSQL variants of the server tests will be skipped"
    exit 0
}

if [[ -n "${ARXOS_TEST_POSTGRES_URL:-}" ]]; then
    log "ARXOS_TEST_POSTGRES_URL is set: the tests use that server, not starting one"
    exit 0
fi

if [[ "${ARXOS_SKIP_TEST_POSTGRES:-}" == 1 ]]; then
    give_up "ARXOS_SKIP_TEST_POSTGRES=1, not starting PostgreSQL"
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    give_up "pg_lsclusters not found: install the Debian package 'postgresql' (make sysdeps)"
fi

# How to run cluster commands (as root) and psql (as the postgres superuser).
if [[ "$(id -u)" -eq 0 ]]; then
    AS_ROOT=()
    AS_POSTGRES=(runuser -u postgres --)
elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
    AS_POSTGRES=(sudo -u postgres)
else
    give_up "starting PostgreSQL needs root or sudo, and this is neither"
fi

# "ver name port status" of a running cluster, else of the first one listed.
read_cluster() {
    pg_lsclusters --no-header 2>/dev/null | awk '
        NF >= 4 && $4 ~ /^online/ {print $1, $2, $3, $4; found = 1; exit}
        NF >= 4 && first == "" {first = $1 " " $2 " " $3 " " $4}
        END {if (!found && first != "") print first}'
}

cluster="$(read_cluster)"
if [[ -z "$cluster" ]]; then
    version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null |
        sort -V | tail -n 1)"
    [[ -n "$version" ]] || give_up "no PostgreSQL server installed under /usr/lib/postgresql"
    log "no cluster yet: creating $version/main"
    # C.UTF-8 always exists on Debian; a LANG naming an ungenerated locale would fail.
    "${AS_ROOT[@]}" pg_createcluster --locale C.UTF-8 "$version" main >/dev/null
    cluster="$(read_cluster)"
    [[ -n "$cluster" ]] || die "pg_createcluster $version main made no cluster"
fi
read -r version name port status <<<"$cluster"

if [[ "$status" != online* ]]; then
    # /run is a fresh tmpfs in many containers: the socket directory may be gone.
    if [[ "$(id -u)" -eq 0 && ! -d /var/run/postgresql ]]; then
        install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    fi
    log "starting cluster $version/$name on port $port"
    # Exit status 2 means "already running" (started by someone else meanwhile).
    "${AS_ROOT[@]}" pg_ctlcluster "$version" "$name" start || [[ $? -eq 2 ]] ||
        die "pg_ctlcluster $version $name start failed; see /var/log/postgresql/postgresql-$version-$name.log"
else
    log "cluster $version/$name already online on port $port"
fi

deadline=$((SECONDS + READY_SECONDS))
until pg_isready -q -h 127.0.0.1 -p "$port"; do
    ((SECONDS < deadline)) || die "PostgreSQL on 127.0.0.1:$port not ready after ${READY_SECONDS}s"
    sleep 0.2
done

# The role is machine-wide, so its password is kept machine-wide too: every
# checkout on this machine (and a concurrent pytest's URL) keeps working.
PASSWORD_FILE="${ARXOS_TEST_PG_PASSWORD_FILE:-$HOME/.config/arxos-field/test-postgres-password}"
password=""
if [[ -f "$PASSWORD_FILE" ]]; then
    password="$(tr -cd '0-9a-f' <"$PASSWORD_FILE")"
elif [[ -f "$URL_FILE" ]]; then
    password="$(sed -n "s|^postgresql+psycopg://$ROLE:\([0-9a-f]*\)@.*|\1|p" "$URL_FILE")"
fi
if [[ -z "$password" ]]; then
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fi
mkdir -p "$(dirname "$PASSWORD_FILE")"
(umask 077 && printf '%s\n' "$password" >"$PASSWORD_FILE")

psql_admin() {
    # From / so runuser's postgres user can always read its working directory.
    (cd / && "${AS_POSTGRES[@]}" psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
}

# synchronous_commit=off for this role only: test databases need no durability,
# and it makes the many small commits of the tests much faster.
psql_admin -v role="$ROLE" -v pw="$password" -v db="$DB" <<'SQL' ||
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB PASSWORD :'pw';
ALTER ROLE :"role" SET synchronous_commit = off;
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    die "could not create role $ROLE and database $DB"

url="postgresql+psycopg://$ROLE:$password@127.0.0.1:$port/$DB"
# Check the URL really works over TCP with the password (pg_hba may differ).
if ! PGPASSWORD="$password" psql -X -q -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" \
    -c 'SELECT 1' >/dev/null; then
    die "cannot sign in as $ROLE on 127.0.0.1:$port; check pg_hba.conf allows scram-sha-256 there"
fi
(umask 077 && printf '%s\n' "$url" >"$URL_FILE.tmp")
mv -f "$URL_FILE.tmp" "$URL_FILE"
log "ready: $ROLE@127.0.0.1:$port/$DB (URL in $URL_FILE)"
