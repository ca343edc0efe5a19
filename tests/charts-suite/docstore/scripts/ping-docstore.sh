#!/bin/bash
docsh $TLS_OPTIONS --port $DOCSTORE_PORT_NUMBER --eval "db.adminCommand('ping')"
