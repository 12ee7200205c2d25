/**
 * What vllm-neuron's disaggregated inference needs on the host beyond the DLAMI's vLLM
 * environment (aws-neuron-sdk `vllm-neuron/docs/getting-started/setup-guide.md`, "Install
 * dependencies for disaggregated inference"): NIXL in the vLLM venv, and on the loader path
 * `libfabric.so.1` (EFA's, under /opt/amazon/efa) and a `libcuda.so.1` (a stub is enough: the
 * LIBFABRIC plugin links it for a GPUDirect path Neuron never takes). Without them NIXL reports
 * `createBackend: unsupported backend 'LIBFABRIC'` and every server worker exits.
 */

/** Where the EFA installer puts Libfabric: the setup guide puts both directories on `LD_LIBRARY_PATH`. */
export const EFA_LIBRARY_PATH = '/opt/amazon/efa/lib64:/opt/amazon/efa/lib';

/** The check the boot runs before vLLM is set up; it also runs alone (`bash /opt/vllm/check-prerequisites.sh`). */
export const PREREQUISITE_CHECK_PATH = '/opt/vllm/check-prerequisites.sh';

/**
 * The check: silent with exit 0 when NIXL imports, both libraries resolve and NIXL instantiates its
 * LIBFABRIC backend (the setup guide's probe); otherwise one line naming what is missing, to the
 * journal (`logger -t vllm-prerequisites`) and to stderr (the boot log, which the CloudWatch agent
 * ships), and exit 1. Needs `VLLM_VENV`.
 */
export const PREREQUISITE_CHECK_SCRIPT = `#!/bin/bash
set -u
export LD_LIBRARY_PATH="${EFA_LIBRARY_PATH}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fail() {
  logger -t vllm-prerequisites -p user.err -- "$1" 2>/dev/null || true
  echo "vllm-prerequisites: $1" >&2
  exit 1
}
# A library is on the loader path when ldconfig knows it or it sits in an LD_LIBRARY_PATH directory.
on_loader_path() {
  # grep reads all of ldconfig's output (no -q), so ldconfig never dies of SIGPIPE.
  ldconfig -p 2>/dev/null | grep "[[:space:]]$1 " >/dev/null && return 0
  local dir
  for dir in \${LD_LIBRARY_PATH//:/ }; do [ -e "$dir/$1" ] && return 0; done
  return 1
}
py="$VLLM_VENV/bin/python"
"$py" -c 'import nixl' 2>/dev/null ||
  fail "NIXL is not installed in $VLLM_VENV (pip install nixl); vLLM's NixlConnector needs it for the KV hand-off"
on_loader_path libfabric.so.1 ||
  fail "libfabric.so.1 is not on the loader path (${EFA_LIBRARY_PATH}); install EFA (aws-efa-installer) or use the Neuron DLAMI, which ships it"
on_loader_path libcuda.so.1 ||
  fail "libcuda.so.1 is not on the loader path; NIXL's LIBFABRIC plugin links it (a stub is enough: /usr/local/lib/libcuda.so.1 from cuda-cudart-dev-12-6)"
probe=$("$py" -c "from nixl._api import nixl_agent, nixl_agent_config; nixl_agent('probe', nixl_agent_config(backends=['LIBFABRIC']))" 2>&1) || {
  plugin=$(find "$VLLM_VENV" -name libplugin_LIBFABRIC.so 2>/dev/null | head -n1)
  # libcudart is used only on the GPUDirect path and may stay unresolved on Neuron (setup guide).
  unresolved=$([ -n "$plugin" ] && ldd "$plugin" 2>/dev/null | awk '/not found/ && $1 !~ /^libcudart/ { print $1 }' | paste -sd, -)
  fail "NIXL's LIBFABRIC backend does not load\${unresolved:+ (unresolved: $unresolved)}: $(printf '%s' "$probe" | tail -n1)"
}
exit 0
`;

/**
 * Boot lines (under \`set -euo pipefail\`, with \`VLLM_VENV\` set): install what is missing, then run
 * the check and stop the boot if it fails, so vLLM never starts on a host that cannot hand off KV.
 * Installing is best effort (\`|| true\`): the check then names what is still missing.
 */
export function prerequisiteBootCommands(): string[] {
  return [
    `cat > ${PREREQUISITE_CHECK_PATH} <<'CHECK'\n${PREREQUISITE_CHECK_SCRIPT}CHECK`,
    `chmod 755 ${PREREQUISITE_CHECK_PATH}`,
    // NIXL into the vLLM venv, as the disaggregated-inference tutorial installs it.
    '"$VLLM_VENV/bin/python" -c "import nixl" 2>/dev/null || "$VLLM_VENV/bin/pip" install --quiet nixl || true',
    // The CUDA driver stub, as the setup guide installs it (the ubuntu2204 keyring works on 24.04).
    // apt reads only the CUDA repository: the instances reach the internet on 443, Ubuntu's mirrors answer on 80.
    `ldconfig -p | grep '[[:space:]]libcuda.so.1 ' >/dev/null || [ -e /usr/local/lib/libcuda.so.1 ] || (
  set -e
  curl -fsSLo /tmp/cuda-keyring.deb https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/cuda-keyring_1.0-1_all.deb
  dpkg -i /tmp/cuda-keyring.deb && rm -f /tmp/cuda-keyring.deb
  install -d /tmp/cuda-apt && cp /etc/apt/sources.list.d/cuda*.list /tmp/cuda-apt/
  APT_CUDA_ONLY="-o Dir::Etc::sourcelist=- -o Dir::Etc::sourceparts=/tmp/cuda-apt -o APT::Get::List-Cleanup=0"
  apt-get update $APT_CUDA_ONLY
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $APT_CUDA_ONLY cuda-cudart-dev-12-6
  ln -sf /usr/local/cuda-12.6/targets/x86_64-linux/lib/stubs/libcuda.so /usr/local/lib/libcuda.so.1
  ldconfig
) || true`,
    // VLLM_VENV is a variable of the boot shell, not of its environment: hand it over.
    `VLLM_VENV="$VLLM_VENV" bash ${PREREQUISITE_CHECK_PATH}`,
  ];
}
