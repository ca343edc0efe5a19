#!/bin/bash
set -o errexit
set -o nounset
echo "creating read-only role"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<-EOSQL
  CREATE ROLE readonly NOLOGIN;
EOSQL
