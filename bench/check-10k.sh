#!/usr/bin/env bash
# `xsguard check` on a generated tree of 10,000 endpoint files (plus tables and api groups):
# wall time and peak memory, release build. Target: under 2 s and 200 MB on 2 cores.
# Usage: bench/check-10k.sh [COUNT]; FORMAT=sarif (or human, github) measures another output
# format than JSON; XSGUARD=path/to/xsguard measures another build.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
format=${FORMAT:-json}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/tables" "$dir/apis"
cat > "$dir/tables/user.xs" <<'XS'
table user {
  auth = true
  schema {
    int id
    email email
    password password {
      sensitive = true
    }
  }
}
XS
for g in $(seq 0 19); do
  printf 'api_group g%d {\n  canonical = "g%d"\n}\n' "$g" "$g" > "$dir/apis/g$g.xs"
done
for i in $(seq 1 "$count"); do
  t="t$((i % 200))"
  if [ ! -f "$dir/tables/$t.xs" ]; then
    printf 'table %s {\n  schema {\n    int id\n    int user_id {\n      table = "user"\n    }\n    text title\n    text api_token?\n  }\n}\n' "$t" > "$dir/tables/$t.xs"
  fi
  auth='  auth = "user"'
  [ $((i % 7)) -eq 0 ] && auth=''
  cat > "$dir/apis/e$i.xs" <<XS
// Endpoint $i
query "items/$i/{id}" verb=PATCH {
  api_group = "g$((i % 20))"
$auth

  input {
    int id filters=min:1
    text title filters=trim
  }

  stack {
    db.get $t {
      field_name = "id"
      field_value = \$input.id
    } as \$item

    conditional {
      if (\$item == null) {
        throw {
          name = "notfound"
          value = "missing"
        }
      }
    }

    db.patch $t {
      field_name = "id"
      field_value = \$item.id
      data = {title: \$input.title|trim}
    } as \$saved
  }

  response = \$saved
}
XS
done
if [ -z "${XSGUARD:-}" ]; then
  cargo build --release -q -p xsguard
  XSGUARD=./target/release/xsguard
fi
echo "$(find "$dir" -name '*.xs' | wc -l) files, $(du -sh "$dir" | cut -f1)"
for run in 1 2 3; do
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$XSGUARD" check "$dir" --format "$format" > "$dir/out.txt" 2> "$dir/time.txt" || true
  echo "run $run ($format): $(tail -1 "$dir/time.txt"), $(wc -c < "$dir/out.txt") bytes of output"
done
