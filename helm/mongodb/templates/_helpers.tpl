{{- define "mongodb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mongodb.fullname" -}}
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

{{- define "mongodb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mongodb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* No app.kubernetes.io/part-of: invoiceapp here: that label is what the data services admit. */}}
{{- define "mongodb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mongodb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: database
{{- end }}

{{- define "mongodb.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "mongodb.secretName" -}}
{{- default (include "mongodb.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{/* The in-cluster address, through the headless Service (any cluster domain: the pods' DNS search list completes it). */}}
{{- define "mongodb.host" -}}
{{- printf "%s.%s.svc" (include "mongodb.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "mongodb.replicaSet" -}}
{{- if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- end }}

{{/* A replica set's governing Service: it publishes not-ready pods too, so members resolve each other while starting. */}}
{{- define "mongodb.headlessName" -}}
{{- printf "%s-headless" (include "mongodb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Every member's host:port, in ordinal order: the replica set's configuration and MONGODB_URL list these. */}}
{{- define "mongodb.members" -}}
{{- $members := list }}
{{- range $i := until (int .Values.replicaCount) }}
{{- $members = append $members (printf "%s-%d.%s.%s.svc.%s:27017" (include "mongodb.fullname" $) $i (include "mongodb.headlessName" $) $.Release.Namespace $.Values.clusterDomain) }}
{{- end }}
{{- join "," $members }}
{{- end }}

{{- define "mongodb.initJobName" -}}
{{- printf "%s-replicaset-init" (include "mongodb.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The initiation Job's pods: not the StatefulSet's (its Services select name and instance). */}}
{{- define "mongodb.initJobSelectorLabels" -}}
app.kubernetes.io/name: {{ include "mongodb.name" . }}-replicaset-init
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
