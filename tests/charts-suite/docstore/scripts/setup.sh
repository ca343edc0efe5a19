#!/bin/bash
. /opt/scripts/libdocstore.sh
. /opt/scripts/libos.sh

# Auxiliary functions
is_boolean_yes() {
  local -r bool="${1:-}"
  # comparison is performed without regard to the case of alphabetic characters
  shopt -s nocasematch
  if [[ "$bool" = 1 || "$bool" =~ ^(yes|true)$ ]]; then
    true
  else
    false
  fi
}
echo "Advertised Hostname: $DOCSTORE_ADVERTISED_HOSTNAME"
exec /opt/scripts/run.sh
