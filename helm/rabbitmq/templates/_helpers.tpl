{{- define "rabbitmq.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rabbitmq.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rabbitmq.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rabbitmq.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* No app.kubernetes.io/part-of: invoiceapp here: that label is what the data services admit. */}}
{{- define "rabbitmq.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "rabbitmq.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: broker
{{- end }}

{{- define "rabbitmq.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "rabbitmq.secretName" -}}
{{- default (include "rabbitmq.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{/* The in-cluster address, through the headless Service (any cluster domain: the pods' DNS search list completes it). */}}
{{- define "rabbitmq.host" -}}
{{- printf "%s.%s.svc" (include "rabbitmq.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "rabbitmq.clustered" -}}
{{- if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- end }}

{{/* A cluster's governing Service: it publishes not-ready pods too, so nodes find each other while starting. */}}
{{- define "rabbitmq.headlessName" -}}
{{- printf "%s-headless" (include "rabbitmq.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The DNS suffix of every node: a node's name and address are <pod><suffix>. */}}
{{- define "rabbitmq.memberSuffix" -}}
{{- printf ".%s.%s.svc.%s" (include "rabbitmq.headlessName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/* The host name of every node, in ordinal order: what AMQP_URL lists. */}}
{{- define "rabbitmq.memberHosts" -}}
{{- $hosts := list }}
{{- range $i := until (int .Values.replicaCount) }}
{{- $hosts = append $hosts (printf "%s-%d%s" (include "rabbitmq.fullname" $) $i (include "rabbitmq.memberSuffix" $)) }}
{{- end }}
{{- join "," $hosts }}
{{- end }}
