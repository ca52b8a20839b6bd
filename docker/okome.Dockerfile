# okome-observability:local — the repository built, with the real servers the simulator drives
# (redis-server, nginx). Used by the render, simulator, exporter and controller services.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server nginx-light ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/okome
COPY package.json package-lock.json ./
COPY provisioning/package.json provisioning/
COPY exporters/package.json exporters/
COPY alerting/package.json alerting/
COPY controller/package.json controller/
COPY simulator/package.json simulator/
COPY grafana-plugin/package.json grafana-plugin/
COPY dashboards/generator/package.json dashboards/generator/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npx tsc -b tsconfig.build.json
