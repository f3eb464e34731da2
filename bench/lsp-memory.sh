#!/usr/bin/env bash
# `xsguard lsp` with 2,000 open documents: peak and current memory of the server process
# (VmHWM / VmRSS from /proc/<pid>/status), release build. Target: under 300 MB.
#
# The documents are generated endpoints of 57-69 lines (several statement kinds, a few findings
# each) in a workspace folder with tables and api groups, so the server indexes the folder
# too; all of them are opened, and the script waits for the diagnostics of every one.
# With `corpus` as second argument, the first COUNT files of the shared corpus are opened
# instead, with the corpus as the workspace folder.
#
# Usage: bench/lsp-memory.sh [COUNT] [corpus]   (XSGUARD_BIN=path: that binary, not a fresh build)
set -euo pipefail
export LC_ALL=C # byte lengths for Content-Length
cd "$(dirname "$0")/.."
count=${1:-2000}
mode=${2:-generated}
if [ -n "${XSGUARD_BIN:-}" ]; then
  bin=$XSGUARD_BIN
else
  cargo build --release -q -p xsguard
  bin=$PWD/target/release/xsguard
fi

dir=$(mktemp -d)
pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

if [ "$mode" = corpus ]; then
  root=$(cd ../shared/corpus && pwd)
  find "$root" -name '*.xs' | sort | head -n "$count" > "$dir/files"
else
  root=$dir/ws
  mkdir -p "$root/tables" "$root/apis"
  for t in $(seq 0 49); do
    printf 'table t%d {\n  auth = %s\n  schema {\n    int id\n    int user_id {\n      table = "t0"\n    }\n    text title\n    text api_token?\n    password password? {\n      sensitive = true\n    }\n  }\n}\n' \
      "$t" "$([ "$t" -eq 0 ] && echo true || echo false)" > "$root/tables/t$t.xs"
  done
  for g in $(seq 0 19); do
    printf 'api_group g%d {\n  canonical = "g%d"\n}\n' "$g" "$g" > "$root/apis/g$g.xs"
  done
  for i in $(seq 1 "$count"); do
    t="t$((i % 50))"
    auth='  auth = "t0"'
    [ $((i % 7)) -eq 0 ] && auth=''
    extra=''
    for k in $(seq 0 $((i % 4))); do
      extra+="    var \$note$k {
      value = \$input.title|trim|concat:\" #$k\"
    }

"
    done
    cat > "$root/apis/e$i.xs" <<XS
// Endpoint $i: edits one $t record of the caller.
query "items/$i/{id}" verb=PATCH {
  api_group = "g$((i % 20))"
$auth
  description = "Updates item $i"

  input {
    int id filters=min:1
    text title filters=trim
    text callback? filters=trim
    int page?=1
  }

  stack {
    db.get $t {
      field_name = "id"
      field_value = \$input.id
    } as \$item

    precondition (\$item != null) {
      error_type = "notfound"
      error = "No item $i"
    }

$extra    conditional {
      if (\$item.user_id != \$auth.id) {
        throw {
          name = "accessdenied"
          value = "Not yours"
        }
      }
    }

    db.query $t {
      where = \$db.$t.user_id == \$auth.id
      return = {type: "list", paging: {page: \$input.page, per_page: 25}}
    } as \$siblings

    api.request {
      url = \$input.callback
      method = "POST"
      params = {id: \$item.id}
    } as \$notified

    db.patch $t {
      field_name = "id"
      field_value = \$item.id
      data = {title: \$input.title|trim}
    } as \$saved
  }

  response = {item: \$saved, count: \$siblings|count}
}
XS
  done
  find "$root/apis" -name 'e*.xs' | sort -V > "$dir/files"
fi

# The server reads a FIFO kept open on descriptor 3.
mkfifo "$dir/in"
"$bin" lsp --stdio < "$dir/in" > "$dir/out" 2> "$dir/err" &
pid=$!
exec 3> "$dir/in"

send() {
  printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1" >&3
}

# A file's text as a JSON string body (bytes that are not UTF-8 and control characters other
# than tab, CR and LF are dropped: a few corpus files have some).
json_text() {
  iconv -c -f UTF-8 -t UTF-8 "$1" | tr -d '\000-\010\013\014\016-\037' |
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' | awk '{ printf "%s\\n", $0 }'
}

uri_of() {
  # Spaces and a few other characters would need escaping; generated and corpus paths have
  # none of them except `+`, which is fine in a URI path.
  printf 'file://%s' "$1"
}

started=$(date +%s.%N)
send "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"processId\":null,\"rootUri\":\"$(uri_of "$root")\",\"workspaceFolders\":[{\"uri\":\"$(uri_of "$root")\",\"name\":\"bench\"}],\"capabilities\":{},\"initializationOptions\":{\"xsguard\":{\"debounceMs\":50}}}}"
until grep -aq '"id":1' "$dir/out"; do sleep 0.05; done
send '{"jsonrpc":"2.0","method":"initialized","params":{}}'
opened=0
while read -r file; do
  send "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"$(uri_of "$file")\",\"languageId\":\"xanoscript\",\"version\":1,\"text\":\"$(json_text "$file")\"}}}"
  opened=$((opened + 1))
done < "$dir/files"
sent=$(date +%s.%N)

published() {
  # A publication's params end with the document's URI and version.
  grep -ao '"uri":"[^"]*","version":[0-9]*}}' "$dir/out" | sort -u | wc -l
}
deadline=$((SECONDS + 600))
while [ "$(published)" -lt "$opened" ]; do
  if [ $SECONDS -gt $deadline ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "gave up: diagnostics for $(published) of $opened documents" >&2
    cat "$dir/err" >&2
    exit 1
  fi
  sleep 0.2
done
done_at=$(date +%s.%N)
# Let anything still running settle, then read the figures.
sleep 1
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
diagnostics=$(grep -ao '"source":"xsguard"' "$dir/out" | wc -l)

send '{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}'
until grep -aq '"id":2}' "$dir/out"; do sleep 0.05; done
send '{"jsonrpc":"2.0","method":"exit","params":null}'
exec 3>&-
status=0
wait "$pid" || status=$?
pid=

bytes=$(xargs cat < "$dir/files" | wc -c)
echo "$opened documents open ($((bytes / 1024)) KB of text, $(wc -l < "$dir/files") files, mode $mode)"
awk -v a="$started" -v b="$sent" -v c="$done_at" 'BEGIN { printf "opened in %.1f s, diagnostics for all after %.1f s\n", b - a, c - a }'
echo "$diagnostics diagnostics published"
echo "peak RSS (VmHWM): $((hwm / 1024)) MB; RSS at the end: $((rss / 1024)) MB; exit status $status"
if [ $((hwm / 1024)) -ge 300 ]; then
  echo "over the 300 MB target" >&2
  exit 1
fi
