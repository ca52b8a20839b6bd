// User-facing text of okome-provision, kept apart from the logic (changesets' messages.ts).

export const MAIN_HELP = `okome-provision — validate cluster inventories and render configs from them

Usage:
  okome-provision validate FILE|NAME... [--json]
  okome-provision render --inventory FILE|NAME --out DIR [--target configs,grafana,systemd|all]
  okome-provision deploy --inventory FILE|NAME [--nodes ID,...] [--user U] [--dry-run]
  okome-provision <command> --help

Commands:
  validate   Check inventories; print each problem as FILE:LINE:COL PATH: message
  render     Write Prometheus, Alertmanager and nginx configs for one inventory (--target
             grafana: Grafana provisioning; systemd: per-node units, tuning and install.sh)
  deploy     Copy the rendered per-node sets to the nodes over ssh/scp, install, check

NAME is a shipped inventory: okome, kage-bunshin, garage-ai, blackroad, brain-in-jar.
Exit codes: 0 ok, 1 invalid inventory, 2 bad usage.
`;

export const VALIDATE_HELP = `okome-provision validate FILE|NAME... [--json]

Validates each inventory against the schema and the cross-field rules (unique node ids and
address:port pairs, pools pointing at real nodes and services, durations, ...). Every problem
of every file is reported, one per line:

  FILE:LINE:COL PATH: message

Options:
  --json     Print {"valid": bool, "files": [{"file", "valid", "problems": [...]}]}
  -h, --help Show this help

Exit codes: 0 all valid, 1 a file has problems, 2 bad usage.
`;

export const RENDER_HELP = `okome-provision render --inventory FILE|NAME --out DIR [options]

Writes, from the inventory alone:
  prometheus/<node>.yml             one per observability node (external_labels.replica = node)
  prometheus/targets/*.json         file_sd targets: exporters, prometheus, alertmanager, controller
  alertmanager/alertmanager.yml     routes by severity; okome_action alerts to the controller
  alertmanager/okome.tmpl           notification templates with the runbook link
  nginx/<frontend>/nginx.conf       standalone nginx (nginx -p DIR/nginx/<frontend> -c nginx.conf)
  nginx/<frontend>/upstreams/<pool>.conf, nginx/<frontend>/servers/<pool>.conf
With --target grafana (or all):
  grafana/provisioning/{datasources,plugins,dashboards,alerting}/*.yaml
With --target systemd (or all), per node:
  systemd/<node>/rootfs/...         units, sysctl, limits, configs, nginx pools at install paths
  systemd/<node>/install.sh         what deploy runs there;  systemd/<node>/README.md

Options:
  --inventory FILE|NAME          Inventory file or shipped cluster name (required)
  --out DIR                      Output folder (required; created if missing)
  --loopback                     Use the simulator's loopback addresses (A.B.C.D -> 127.0.C.D)
  --rules-dir DIR                Rule folder (okome-slo output); Prometheus loads its *.rules.yml
  --controller-token-file FILE   Bearer token file for the controller webhook
                                 (default /etc/okome/controller.token)
  --controller-url URL           Override the controller URL from observability.controller
  --page-webhook-url URL         On-call receiver (default: a loopback placeholder)
  --ticket-webhook-url URL       Ticket receiver (default: a loopback placeholder)
  --scrape-interval DURATION     Override observability.scrapeInterval
  --evaluation-interval DURATION Override observability.evaluationInterval
  --target T[,T]                 configs (default), grafana, systemd, or all; repeatable
  --json                         Print {"inventory", "out", "files": [...]} instead of text
  -h, --help                     Show this help

Exit codes: 0 written, 1 invalid inventory, 2 bad usage.
`;

export const DEFAULT_CONTROLLER_TOKEN_FILE = '/etc/okome/controller.token';
