{{- define "zookeeper.serverList" -}}
{{- $fullname := include "common.names.fullname" . -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.replicaCount) -}}
{{- $servers = append $servers (printf "%s-%d.%s-headless.%s.svc.%s:%d:%d::%d" $fullname $i $fullname (include "common.names.namespace" $) $.Values.clusterDomain (int $.Values.containerPorts.follower) (int $.Values.containerPorts.election) (add $i 1)) -}}
{{- end -}}
{{- join " " $servers -}}
{{- end -}}
