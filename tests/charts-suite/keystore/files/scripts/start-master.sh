#!/bin/bash
[[ -f $KEYSTORE_PASSWORD_FILE ]] && export KEYSTORE_PASSWORD="$(< "${KEYSTORE_PASSWORD_FILE}")"
if [[ -f /opt/keystore/mounted-etc/master.conf ]];then
    cp /opt/keystore/mounted-etc/master.conf /opt/keystore/etc/master.conf
fi
ARGS=("--port" "${KEYSTORE_PORT}")
exec keystore-server "${ARGS[@]}"
