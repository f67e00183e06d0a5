#!/usr/bin/env bash
# Prepares this machine to run a real libvirtd with QEMU under TCG (no KVM, no systemd, running as
# root in a container) and starts virtlogd + libvirtd if they are not running. Idempotent.
set -euo pipefail

getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd -r -g kvm libvirt-qemu

conf=/etc/libvirt/qemu.conf
if ! grep -q '^# vmzombie-exporter test settings' "$conf" 2>/dev/null; then
  cat >>"$conf" <<'CONF'
# vmzombie-exporter test settings: qemu as root, unconfined, in a container without cgroups.
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
remember_owner = 0
CONF
fi
mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/images

pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 1 600); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then exit 0; fi
  sleep 0.1
done
echo "libvirtd did not answer within 60s" >&2
exit 1
