#!/bin/sh
# Install or upgrade CaraLoom Connect from this unpacked release, as root:
#   sudo ./ops/install.sh            install (or upgrade) and enable nothing yet
# Then edit /etc/caraloom/caraloom.yaml and /etc/caraloom/caraloom.env and run
#   systemctl enable --now caraloom-connector caraloom-relay caraloom-console
# Upgrades: the new release goes beside the old one and /opt/caraloom-connect is
# switched to it; journals migrate themselves when the services start again.
# DESTDIR=/some/dir installs into a staging root (no user, no systemctl): for packagers and tests.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
name=$(head -n 1 "$here/RELEASE")
dest=${DESTDIR:-}

install -d -m 0755 "$dest/opt"
rm -rf "$dest/opt/$name.new"
cp -a "$here" "$dest/opt/$name.new"
rm -rf "$dest/opt/$name"
mv "$dest/opt/$name.new" "$dest/opt/$name"
ln -sfn "$name" "$dest/opt/caraloom-connect"

if [ -z "$dest" ] && ! getent passwd caraloom >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/caraloom --shell /usr/sbin/nologin --user-group caraloom
fi
owner=root:root
[ -z "$dest" ] && owner=root:caraloom

# Config a person edits; never overwritten by an upgrade.
install -d -m 0750 "$dest/etc/caraloom"
[ -e "$dest/etc/caraloom/caraloom.yaml" ] || sed "s|mappings: mappings|mappings: /etc/caraloom/mappings|" "$here/config/caraloom.example.yaml" > "$dest/etc/caraloom/caraloom.yaml"
[ -e "$dest/etc/caraloom/mappings" ] || cp -a "$here/mappings" "$dest/etc/caraloom/mappings"
if [ ! -e "$dest/etc/caraloom/caraloom.env" ]; then
  umask 077
  printf '# Secrets for CaraLoom Connect (mode 0640, root:caraloom). Referenced from caraloom.yaml as ${NAME}.\n# CARALOOM_API_KEY=\n# CARALOOM_WEBHOOK_SECRET=\n' > "$dest/etc/caraloom/caraloom.env"
fi
chmod 0640 "$dest/etc/caraloom/caraloom.yaml" "$dest/etc/caraloom/caraloom.env"
chown -R "$owner" "$dest/etc/caraloom"

install -d -m 0755 "$dest/etc/systemd/system"
for unit in "$here"/ops/systemd/*.service; do
  install -m 0644 "$unit" "$dest/etc/systemd/system/$(basename "$unit")"
done
if [ -z "$dest" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
echo "installed $name in $dest/opt/caraloom-connect"
