{{/*
A node pool StatefulSet. Usage: include "eventlog.nodePool" (dict "role" "controller" "context" $)
*/}}
{{- define "eventlog.nodePool" -}}
{{- $ := .context -}}
{{- $role := .role -}}
{{- $values := index $.Values $role -}}
{{- $component := ternary "controller-eligible" "broker" (eq $role "controller") -}}
{{- $fullname := printf "%s-%s" (include "common.names.fullname" $) $role -}}
apiVersion: {{ include "common.capabilities.statefulset.apiVersion" $ }}
kind: StatefulSet
metadata:
  name: {{ $fullname }}
  namespace: {{ include "common.names.namespace" $ | quote }}
  labels: {{- include "common.labels.standard" (dict "customLabels" $.Values.commonLabels "context" $) | nindent 4 }}
    app.kubernetes.io/component: {{ $component }}
    app.kubernetes.io/part-of: eventlog
spec:
  podManagementPolicy: Parallel
  replicas: {{ $values.replicaCount }}
  serviceName: {{ printf "%s-headless" $fullname | trunc 63 | trimSuffix "-" }}
  selector:
    matchLabels: {{- include "common.labels.matchLabels" (dict "customLabels" $values.podLabels "context" $) | nindent 6 }}
      app.kubernetes.io/component: {{ $component }}
  template:
    metadata:
      labels: {{- include "common.labels.standard" (dict "customLabels" (merge (dict) $values.podLabels $.Values.commonLabels) "context" $) | nindent 8 }}
        app.kubernetes.io/component: {{ $component }}
      annotations:
        {{- if not $.Values.existingConfigmap }}
        checksum/configuration: {{ include (print $.Template.BasePath "/configmap.yaml") $ | sha256sum }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "eventlog.serviceAccountName" $ }}
      {{- include "common.images.renderPullSecrets" (dict "images" (list $.Values.image) "context" $) | nindent 6 }}
      affinity:
        podAntiAffinity: {{- include "common.affinities.pods" (dict "type" "soft" "component" $component "customLabels" $values.podLabels "context" $) | nindent 10 }}
      containers:
        - name: eventlog
          image: {{ include "common.images.image" (dict "imageRoot" $.Values.image "global" $.Values.global) }}
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          env:
            - name: EVENTLOG_HEAP_OPTS
              value: {{ $values.heapOpts | quote }}
            - name: EVENTLOG_NODE_ID_OFFSET
              value: {{ $values.minId | quote }}
            {{- if $.Values.kraft.enabled }}
            - name: EVENTLOG_KRAFT_CLUSTER_ID
              valueFrom:
                secretKeyRef:
                  name: {{ default (printf "%s-kraft-cluster-id" (include "common.names.fullname" $)) (tpl $.Values.kraft.existingClusterIdSecret $) }}
                  key: kraft-cluster-id
            {{- end }}
            {{- if include "eventlog.saslEnabled" $ }}
            - name: EVENTLOG_CLIENT_USERS
              value: {{ join "," $.Values.sasl.client.users | quote }}
            {{- range $key := list "client-passwords" "inter-broker-password" }}
            - name: {{ printf "EVENTLOG_%s" ($key | upper | replace "-" "_") }}
              valueFrom:
                secretKeyRef:
                  name: {{ default (printf "%s-user-passwords" (include "common.names.fullname" $)) $.Values.sasl.existingSecret }}
                  key: {{ $key }}
            {{- end }}
            {{- end }}
          ports:
            {{- if or (ne $role "controller") (not $.Values.controller.controllerOnly) }}
            - name: client
              containerPort: {{ $.Values.listeners.client.containerPort }}
            - name: interbroker
              containerPort: {{ $.Values.listeners.interbroker.containerPort }}
            {{- end }}
            {{- if and $.Values.kraft.enabled (eq $role "controller") }}
            - name: controller
              containerPort: {{ $.Values.listeners.controller.containerPort }}
            {{- end }}
          {{- if $values.resources }}
          resources: {{- toYaml $values.resources | nindent 12 }}
          {{- else }}
          resources: {{- include "common.resources.preset" (dict "type" $values.resourcesPreset) | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: data
              mountPath: {{ $values.persistence.mountPath }}
            - name: configuration
              mountPath: /opt/eventlog/config/server.properties
              subPath: server.properties
      volumes:
        - name: configuration
          configMap:
            name: {{ default (printf "%s-configuration" $fullname) $.Values.existingConfigmap }}
  {{- if not $values.persistence.enabled }}
        - name: data
          emptyDir: {}
  {{- else }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes:
        {{- range $values.persistence.accessModes }}
          - {{ . | quote }}
        {{- end }}
        resources:
          requests:
            storage: {{ $values.persistence.size | quote }}
        {{- include "common.storage.class" (dict "persistence" $values.persistence "global" $.Values.global) | nindent 8 }}
  {{- end }}
{{- end -}}
