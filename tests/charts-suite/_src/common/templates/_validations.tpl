{{/* vim: set filetype=mustache: */}}
{{/*
An error text when a required value is empty, else nothing.
Params: valueKey, secret, field, subchart, context
*/}}
{{- define "common.validations.values.single.empty" -}}
  {{- $value := include "common.utils.getValueFromKey" (dict "key" .valueKey "context" .context) }}
  {{- $subchart := ternary "" (printf "%s." .subchart) (empty .subchart) }}

  {{- if not $value -}}
    {{- $varname := "my-value" -}}
    {{- $getCurrentValue := "" -}}
    {{- if and .secret .field -}}
      {{- $varname = include "common.utils.fieldToEnvVar" . -}}
      {{- $getCurrentValue = printf " To get the current value:\n\n        %s\n" (include "common.utils.secret.getvalue" .) -}}
    {{- end -}}
    {{- printf "\n    '%s' must not be empty, please add '--set %s%s=$%s' to the command.%s" .valueKey $subchart .valueKey $varname $getCurrentValue -}}
  {{- end -}}
{{- end -}}

{{/*
Fails an upgrade whose passwords would otherwise be regenerated.
*/}}
{{- define "common.errors.upgrade.passwords.empty" -}}
  {{- $validationErrors := join "" .validationErrors -}}
  {{- if and $validationErrors .context.Release.IsUpgrade -}}
    {{- $errorString := "\nPASSWORDS ERROR: You must provide your current passwords when upgrading the release." -}}
    {{- $errorString = print $errorString "\n                 Note that even after reinstallation, old credentials may be needed as they may be kept in persistent volume claims." -}}
    {{- $errorString = print $errorString "\n%s" -}}
    {{- printf $errorString $validationErrors | fail -}}
  {{- end -}}
{{- end -}}

{{/*
Warns (in NOTES) about rolling tags.
*/}}
{{- define "common.warnings.rollingTag" -}}
{{- if and (contains "example.org/" .repository) (not (.tag | toString | regexFind "-r\\d+$|sha256:")) }}
WARNING: Rolling tag detected ({{ .repository }}:{{ .tag }}), please note that it is strongly recommended to avoid using rolling tags in a production environment.
{{- end }}
{{- end -}}

{{/*
Fails when a value is not one of the allowed ones.
Usage: {{ include "common.validations.values.enum" (dict "valueKey" "architecture" "allowed" (list "standalone" "replication") "context" $) }}
*/}}
{{- define "common.validations.values.enum" -}}
{{- $value := include "common.utils.getValueFromKey" (dict "key" .valueKey "context" .context) -}}
{{- if not (has $value .allowed) -}}
{{- printf "\nVALUES VALIDATION:\n%s: invalid value %q, must be one of: %s" .valueKey $value (join ", " .allowed) | fail -}}
{{- end -}}
{{- end -}}
