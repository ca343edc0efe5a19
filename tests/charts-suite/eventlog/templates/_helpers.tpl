{{/*
Listener protocol as used in security.protocol.map.
*/}}
{{- define "eventlog.listenerType" -}}
{{- $protocol := .protocol | upper -}}
{{- if or (eq $protocol "PLAINTEXT") (eq $protocol "SASL_PLAINTEXT") (eq $protocol "SASL_SSL") (eq $protocol "SSL") -}}
{{- $protocol -}}
{{- else -}}
{{- fail (printf "listener %s has an unknown protocol %q (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)" .name .protocol) -}}
{{- end -}}
{{- end -}}

{{- define "eventlog.saslEnabled" -}}
{{- $res := "" -}}
{{- range $l := list .Values.listeners.client .Values.listeners.interbroker .Values.listeners.controller .Values.listeners.external -}}
{{- if regexFind "SASL" (upper $l.protocol) -}}
{{- $res = "true" -}}
{{- end -}}
{{- end -}}
{{- $res -}}
{{- end -}}

{{/*
Comma separated controller.quorum.voters: ID@host:port for every controller-eligible node.
*/}}
{{- define "eventlog.kraft.controllerQuorumVoters" -}}
{{- if .Values.kraft.controllerQuorumVoters -}}
{{- include "common.tplvalues.render" (dict "value" .Values.kraft.controllerQuorumVoters "context" $) -}}
{{- else -}}
{{- $voters := list -}}
{{- $fullname := include "common.names.fullname" . -}}
{{- range $i := until (int .Values.controller.replicaCount) -}}
{{- $nodeId := add (int $.Values.controller.minId) $i -}}
{{- $host := printf "%s-controller-%d.%s-controller-headless.%s.svc.%s" $fullname $i $fullname (include "common.names.namespace" $) $.Values.clusterDomain -}}
{{- $voters = append $voters (printf "%d@%s:%d" (int $nodeId) $host (int $.Values.listeners.controller.containerPort)) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end -}}
{{- end -}}

{{- define "eventlog.zookeeper.connect" -}}
{{- if .Values.zookeeper.enabled -}}
{{- printf "%s:2181" (include "common.names.dependency.fullname" (dict "chartName" "zookeeper" "chartValues" .Values.zookeeper "context" $)) -}}
{{- else -}}
{{- join "," .Values.externalZookeeper.servers -}}
{{- end -}}
{{- end -}}

{{/*
Listeners of a node role ("controller" or "broker").
*/}}
{{- define "eventlog.listeners" -}}
{{- $role := .role -}}
{{- $ctx := .context -}}
{{- $listeners := list -}}
{{- with $ctx.Values.listeners -}}
{{- if ne $role "controller-only" -}}
{{- $listeners = append $listeners (printf "%s://:%d" .client.name (int .client.containerPort)) -}}
{{- $listeners = append $listeners (printf "%s://:%d" .interbroker.name (int .interbroker.containerPort)) -}}
{{- end -}}
{{- if and $ctx.Values.kraft.enabled (or (eq $role "controller") (eq $role "controller-only")) -}}
{{- $listeners = append $listeners (printf "%s://:%d" .controller.name (int .controller.containerPort)) -}}
{{- end -}}
{{- range .extraListeners -}}
{{- $listeners = append $listeners (printf "%s://:%d" (upper .name) (int .containerPort)) -}}
{{- end -}}
{{- end -}}
{{- join "," $listeners -}}
{{- end -}}

{{- define "eventlog.securityProtocolMap" -}}
{{- if .Values.listeners.securityProtocolMap -}}
{{- .Values.listeners.securityProtocolMap -}}
{{- else -}}
{{- $map := list -}}
{{- range $key, $l := pick .Values.listeners "client" "controller" "interbroker" "external" -}}
{{- $map = append $map (printf "%s:%s" (upper $l.name) (include "eventlog.listenerType" $l)) -}}
{{- end -}}
{{- range .Values.listeners.extraListeners -}}
{{- $map = append $map (printf "%s:%s" (upper .name) (include "eventlog.listenerType" .)) -}}
{{- end -}}
{{- join "," $map -}}
{{- end -}}
{{- end -}}

{{- define "eventlog.validateValues" -}}
{{- if and .Values.kraft.enabled .Values.zookeeper.enabled -}}
{{- fail "eventlog: KRaft and ZooKeeper are mutually exclusive; set kraft.enabled=false to use ZooKeeper, or zookeeper.enabled=false" -}}
{{- end -}}
{{- if and (not .Values.kraft.enabled) (not .Values.zookeeper.enabled) (empty .Values.externalZookeeper.servers) -}}
{{- fail "eventlog: no metadata store; enable kraft, zookeeper, or set externalZookeeper.servers" -}}
{{- end -}}
{{- if and .Values.kraft.enabled (eq (int .Values.controller.replicaCount) 0) -}}
{{- fail "eventlog: KRaft needs at least one controller-eligible node (controller.replicaCount > 0)" -}}
{{- end -}}
{{- if and .Values.controller.controllerOnly (eq (int .Values.broker.replicaCount) 0) -}}
{{- fail "eventlog: controller.controllerOnly=true needs broker.replicaCount > 0" -}}
{{- end -}}
{{- end -}}

{{- define "eventlog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "common.names.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/*
server.properties shared by every node; node-specific values come from the environment.
*/}}
{{- define "eventlog.commonConfig" -}}
log.dirs={{ .Values.controller.persistence.mountPath }}/data
{{- if .Values.kraft.enabled }}
controller.listener.names={{ .Values.listeners.controller.name }}
controller.quorum.voters={{ include "eventlog.kraft.controllerQuorumVoters" . }}
{{- else }}
zookeeper.connect={{ include "eventlog.zookeeper.connect" . }}
{{- end }}
inter.broker.listener.name={{ .Values.listeners.interbroker.name }}
listener.security.protocol.map={{ include "eventlog.securityProtocolMap" . }}
{{- if include "eventlog.saslEnabled" . }}
sasl.enabled.mechanisms={{ upper .Values.sasl.enabledMechanisms }}
sasl.mechanism.inter.broker.protocol={{ upper .Values.sasl.interBrokerMechanism }}
{{- if .Values.kraft.enabled }}
sasl.mechanism.controller.protocol={{ upper .Values.sasl.controllerMechanism }}
{{- end }}
{{- end }}
{{- range $k, $v := .Values.extraConfigYaml }}
{{ $k }}={{ include "common.tplvalues.render" (dict "value" $v "context" $) }}
{{- end }}
{{- with .Values.extraConfig }}
{{ include "common.tplvalues.render" (dict "value" . "context" $) }}
{{- end }}
{{- end -}}
