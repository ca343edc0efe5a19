{{- define "docstore.container" -}}
- name: docstore
  image: {{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
  imagePullPolicy: {{ .Values.image.pullPolicy | quote }}
  command:
    - /scripts/setup.sh
  env:
    - name: DOCSTORE_PORT_NUMBER
      value: {{ .Values.service.ports.docstore | quote }}
    {{- if eq .Values.architecture "replicaset" }}
    - name: DOCSTORE_REPLICA_SET_MODE
      value: "primary"
    - name: DOCSTORE_INITIAL_PRIMARY_HOST
      value: {{ include "docstore.initialPrimaryHost" . }}
    - name: DOCSTORE_REPLICA_SET_NAME
      value: {{ .Values.replicaSetName | quote }}
    - name: DOCSTORE_MEMBERS
      value: {{ include "docstore.members" . | quote }}
    {{- end }}
    {{- if .Values.auth.enabled }}
    - name: DOCSTORE_ROOT_USER
      value: {{ .Values.auth.rootUser | quote }}
    - name: DOCSTORE_ROOT_PASSWORD
      valueFrom:
        secretKeyRef:
          name: {{ include "docstore.secretName" . }}
          key: docstore-root-password
    {{- if .Values.auth.usernames }}
    - name: DOCSTORE_EXTRA_USERNAMES
      value: {{ join "," .Values.auth.usernames | quote }}
    - name: DOCSTORE_EXTRA_DATABASES
      value: {{ join "," .Values.auth.databases | quote }}
    {{- end }}
    {{- end }}
    - name: DOCSTORE_SYSTEM_LOG_VERBOSITY
      value: {{ .Values.systemLogVerbosity | quote }}
    - name: DOCSTORE_DISABLE_SYSTEM_LOG
      value: {{ ternary "yes" "no" .Values.disableSystemLog | quote }}
    - name: DOCSTORE_ENABLE_IPV6
      value: {{ ternary "yes" "no" .Values.enableIPv6 | quote }}
    - name: DOCSTORE_ENABLE_DIRECTORY_PER_DB
      value: {{ ternary "yes" "no" .Values.directoryPerDB | quote }}
    - name: DOCSTORE_ENABLE_JOURNAL
      value: {{ ternary "yes" "no" .Values.enableJournal | quote }}
  ports:
    - name: docstore
      containerPort: {{ .Values.service.ports.docstore }}
  readinessProbe:
    exec:
      command:
        - /scripts/readiness-probe.sh
  volumeMounts:
    - name: datadir
      mountPath: {{ .Values.persistence.mountPath }}
    - name: common-scripts
      mountPath: /scripts
    {{- if or .Values.initdbScriptsConfigMap .Values.initdbScripts (.Files.Glob "files/initdb/*.{sh,js}") }}
    - name: custom-init-scripts
      mountPath: /docker-entrypoint-initdb.d
    {{- end }}
{{- end -}}

{{- define "docstore.volumes" -}}
- name: common-scripts
  configMap:
    name: {{ printf "%s-common-scripts" (include "common.names.fullname" .) | trunc 63 | trimSuffix "-" }}
    defaultMode: 0550
{{- if or .Values.initdbScriptsConfigMap .Values.initdbScripts (.Files.Glob "files/initdb/*.{sh,js}") }}
- name: custom-init-scripts
  configMap:
    name: {{ default (printf "%s-init-scripts" (include "common.names.fullname" .)) (tpl .Values.initdbScriptsConfigMap .) }}
{{- end }}
{{- end -}}
