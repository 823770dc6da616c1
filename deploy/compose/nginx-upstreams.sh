#!/bin/sh
# nginx for docker-compose.yml, with the shipped deploy/nginx/sse-gateway.conf: its upstream
# server lines (127.0.0.1:3001-3003, the local processes the test suite runs) become the
# Compose services named in SSE_GATEWAY_UPSTREAMS, with the same parameters; every other line
# stays as shipped. Then nginx runs in the foreground. `--render-only` writes the file and
# stops (test/deploy-files.e2e-spec.ts renders it that way and has nginx check the result).
set -eu
template=${SSE_NGINX_TEMPLATE:-/etc/nginx/sse/sse-gateway.conf}
output=${SSE_NGINX_OUTPUT:-/etc/nginx/conf.d/default.conf}
upstreams=${SSE_GATEWAY_UPSTREAMS:?set SSE_GATEWAY_UPSTREAMS to "host:port host:port ..."}

awk -v upstreams="$upstreams" '
  /^[ \t]*server 127\.0\.0\.1:[0-9]+/ {
    if (!done) {
      params = $0
      sub(/^[ \t]*server 127\.0\.0\.1:[0-9]+/, "", params)
      n = split(upstreams, list, /[ \t,]+/)
      for (i = 1; i <= n; i++) if (list[i] != "") printf "    server %s%s\n", list[i], params
      done = 1
    }
    next
  }
  { print }
' "$template" > "$output"

[ "${1:-}" = "--render-only" ] && exit 0
exec nginx -g 'daemon off;'
