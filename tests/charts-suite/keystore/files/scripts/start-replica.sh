#!/bin/bash
get_port() {
    hostname="$1"
    type="$2"
    port_var=$(echo "${hostname^^}_SERVICE_PORT_$type" | sed "s/-/_/g")
    port=${!port_var}
    if [ -z "$port" ]; then
        echo 6379
    else
        echo "$port"
    fi
}
exec keystore-server --replicaof "$KEYSTORE_MASTER_HOST" "$(get_port "$KEYSTORE_MASTER_HOST" TCP)"
