// User-facing help text of okome-sim.

export const USAGE = `okome-sim — a fake LLM inference cluster on loopback (real Redis and nginx)

Usage:
  okome-sim up --inventory FILE|NAME [--state-dir DIR] [--seed N] [--detach]
               [--control-listen 127.0.0.1:9800] [--time-scale N] [--taps]
  okome-sim status [--state-dir DIR] [--json]
  okome-sim down [--state-dir DIR]
  okome-sim load --inventory FILE|NAME --target ingress|URL [--rps N] [--duration 60s]
                 [--concurrency N] [--mix chat:0.7,cached:0.3] [--model NAME]
                 [--protocol openai-chat|openai-completion|ollama-chat|ollama-generate]
                 [--max-tokens N] [--drain 60s] [--json] [--quiet]

Commands:
  up       Start every node of the inventory on 127.0.C.D; write <state-dir>/inventory.yaml
           (the derived inventory) and print its path. Runs until SIGINT/SIGTERM, then stops
           everything it started. --detach returns once every node answers. --taps: exporters
           run beside it (okome-stack), so with the inventory's observability.taps nginx and
           \`load --target ingress\` go through their taps (port + 10000); without --taps the
           derived inventory has taps off (nothing would listen on the tap ports).
           --time-scale N: the alert-window compression of the stack's rules (okome-stack
           --sim passes 60), shown in GET /state. Token timing is never scaled: tokens/s,
           first-token delays and hop latencies stay the inventory's, as the SLIs expect.
  status   Show the running simulation (nodes, services, faults). Exit 3 when not running.
  down     Stop the simulation of a state dir, also after a crash (from its pid files).
  load     Stream requests at a fixed rate (bounded, loopback only); print TTFT/ITL/e2e
           percentiles, tokens/s and errors by kind.

Control API (default 127.0.0.1:9800): GET /state, GET|POST|DELETE /faults, DELETE /faults/{id},
GET /inventory, GET /-/healthy, GET /-/ready.
Fault kinds: down | slow | latency | gpu-oom | gpu-xid | redis-down | partition.

Defaults: --state-dir .okome/sim, --seed 1, --rps 2, --duration 60s, --concurrency 16,
--mix chat:1. A NAME is a shipped inventory: okome, kage-bunshin, garage-ai, blackroad,
brain-in-jar.
Exit codes: 0 ok, 1 failure, 2 bad usage or bad inventory, 3 not running (status).
`;
