#!/usr/bin/env bash
# Installs what the tests and the lake need, when missing. Safe to run again.
#  - mosquitto (Debian) for MQTT interop and the store-broker ingest tests
#  - azurite, mqtt, aedes (npm, pinned) into .tools/node for Azure Storage and MQTT interop
#  - azure-iot-device, azure-iot-device-mqtt, azure-iothub (npm, pinned): Microsoft's IoT Hub SDKs as emulator conformance peers
#  - chromium (Debian) and playwright-core (npm, pinned) to open the demo's report.html headless
# (DuckDB comes with the DuckDB.NET.Data.Full package at restore: nothing to install for it.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "setup: installing mosquitto"
  apt_install mosquitto mosquitto-clients
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium"
  apt_install chromium
fi

node_dir="$tools/node"
if [ ! -d "$node_dir/node_modules/azurite" ] || [ ! -d "$node_dir/node_modules/mqtt" ] || [ ! -d "$node_dir/node_modules/aedes" ] \
  || [ ! -d "$node_dir/node_modules/azure-iot-device-mqtt" ] || [ ! -d "$node_dir/node_modules/azure-iothub" ]; then
  echo "setup: installing azurite, mqtt, aedes, IoT Hub SDKs (npm)"
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"retailedge-test-tools","private":true}' > "$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error azurite@3.35.0 mqtt@5.16.0 aedes@1.2.0 \
    azure-iot-device@1.18.4 azure-iot-device-mqtt@1.16.4 azure-iothub@1.16.6 >/dev/null)
fi

if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  echo "setup: installing playwright-core (npm)"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error playwright-core@1.65.2 >/dev/null)
fi
