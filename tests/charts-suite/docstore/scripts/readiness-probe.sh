#!/bin/bash
# Run the proper check depending on the version
[[ $(docstore -version | grep "db version") =~ ([0-9]+\.[0-9]+\.[0-9]+) ]] && VERSION=${BASH_REMATCH[1]}
. /opt/lib/libversion.sh
VERSION_MAJOR="$(get_sematic_version "$VERSION" 1)"
if [[ ( "$VERSION_MAJOR" -ge 5 ) ]]; then
  docsh $TLS_OPTIONS --port $DOCSTORE_PORT_NUMBER --eval 'db.hello().isWritablePrimary || db.hello().secondary' | grep 'true'
fi
