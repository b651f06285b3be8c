#!/bin/bash
# Print the path of the machine's Go toolchain, the one both control-plane builds use.
# Debian's golang-go (1.19, /usr/bin/go) is too old for a current release and, put first on PATH,
# would silently shadow the machine's Go: look in the machine's install locations first, and take a
# `go` on PATH only when it is new enough. Needs Go >= $MIN_GO (default 1.26, what v1.37 asks for).
set -euo pipefail
MIN_GO=${MIN_GO:-1.26}
ok() { # go binary -> true when its version >= MIN_GO
  local v; v=$("$1" env GOVERSION 2>/dev/null) || return 1; v=${v#go}
  [ "$(printf '%s\n%s\n' "$MIN_GO" "$v" | sort -V | head -1)" = "$MIN_GO" ]
}
for g in ${GO:-} /usr/local/go/bin/go "$HOME/go/bin/go" $(command -v -a go 2>/dev/null || true); do
  [ -x "$g" ] && GOTOOLCHAIN=local ok "$g" && { echo "$g"; exit 0; }
done
echo "no Go >= $MIN_GO found (looked in \$GO, /usr/local/go/bin and PATH); install it from go.dev's archive or a newer Debian golang" >&2
exit 1
