{{/* Names and labels. */}}
{{- define "invoiceapp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "invoiceapp.fullname" -}}
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

{{/* The name of one component's objects: (dict "root" $ "component" "web") */}}
{{- define "invoiceapp.componentName" -}}
{{- printf "%s-%s" (include "invoiceapp.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "invoiceapp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "invoiceapp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* part-of: invoiceapp is what the data charts' NetworkPolicies admit. */}}
{{- define "invoiceapp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "invoiceapp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: invoiceapp
{{- end }}

{{/* (dict "root" $ "component" "web") */}}
{{- define "invoiceapp.componentSelectorLabels" -}}
{{ include "invoiceapp.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "invoiceapp.componentLabels" -}}
{{ include "invoiceapp.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "invoiceapp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "invoiceapp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "invoiceapp.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Where each secret comes from, as a YAML list of {env, secret, key}, one per variable the pods get as a
file (NAME_FILE). Precedence: existingSecret (for the keys it lists), else a value in secrets.*, else
secretRefs.*, else the chart's generated secretKey/jwtSigningKey/downloadLinkKey; a required one found
nowhere fails.
*/}}
{{- define "invoiceapp.secretFiles" -}}
{{- $v := .Values }}
{{- $own := include "invoiceapp.fullname" . }}
{{- $required := list "secretKey" "jwtSigningKey" "downloadLinkKey" "databaseUrl" "databaseOwnerUrl" "amqpUrl" "mongodbUrl" }}
{{- $generated := list "secretKey" "jwtSigningKey" "downloadLinkKey" }}
{{- $refs := $v.secretRefs | default dict }}
{{- $files := list }}
{{- if $v.existingSecret }}
{{- range $key, $value := $v.secrets }}
{{- if $value }}
{{- fail (printf "secrets.%s is set together with existingSecret: put it in the existing Secret instead" $key) }}
{{- end }}
{{- end }}
{{- if $v.anymailSecrets }}
{{- fail "anymailSecrets is set together with existingSecret: list the ANYMAIL_* keys in existingSecretKeys instead" }}
{{- end }}
{{- end }}
{{- range $key := list "secretKey" "jwtSigningKey" "downloadLinkKey" "databaseUrl" "databaseOwnerUrl" "amqpUrl" "mongodbUrl" "emailHostPassword" "redisUrl" "metricsToken" }}
{{- $env := $key | snakecase | upper }}
{{- $ref := get $refs $key | default dict }}
{{- if and $v.existingSecret (has $env $v.existingSecretKeys) }}
{{- $files = append $files (dict "env" $env "secret" $v.existingSecret "key" $env) }}
{{- else if and (not $v.existingSecret) (get $v.secrets $key) }}
{{- $files = append $files (dict "env" $env "secret" $own "key" $env) }}
{{- else if $ref.name }}
{{- $files = append $files (dict "env" $env "secret" $ref.name "key" (default $env $ref.key)) }}
{{- else if and (not $v.existingSecret) (has $key $generated) }}
{{- $files = append $files (dict "env" $env "secret" $own "key" $env) }}
{{- else if has $key $required }}
{{- fail (printf "%s is required: set secrets.%s, secretRefs.%s, or list %s in existingSecretKeys" $env $key $key $env) }}
{{- end }}
{{- end }}
{{- if $v.existingSecret }}
{{- range $env := $v.existingSecretKeys }}
{{- if hasPrefix "ANYMAIL_" $env }}
{{- $files = append $files (dict "env" $env "secret" $v.existingSecret "key" $env) }}
{{- end }}
{{- end }}
{{- else }}
{{- range $env := keys $v.anymailSecrets | sortAlpha }}
{{- $files = append $files (dict "env" $env "secret" $own "key" $env) }}
{{- end }}
{{- end }}
{{- toYaml $files }}
{{- end }}

{{/*
The secret files of one role's pods: the migrate job's DATABASE_URL is the schema owner's
(DATABASE_OWNER_URL's source: it migrates and runs grant_app_role); every other pod gets the application's
role in DATABASE_URL and never the owner's URL. (dict "root" $ "role" "migrate")
*/}}
{{- define "invoiceapp.podSecretFiles" -}}
{{- $all := include "invoiceapp.secretFiles" .root | fromYamlArray }}
{{- $owner := dict }}
{{- range $all }}
{{- if eq .env "DATABASE_OWNER_URL" }}
{{- $owner = . }}
{{- end }}
{{- end }}
{{- $files := list }}
{{- range $all }}
{{- if eq .env "DATABASE_OWNER_URL" }}
{{- else if and (eq .env "DATABASE_URL") (eq $.role "migrate") }}
{{- $files = append $files (dict "env" "DATABASE_URL" "secret" $owner.secret "key" $owner.key) }}
{{- else }}
{{- $files = append $files . }}
{{- end }}
{{- end }}
{{- toYaml $files }}
{{- end }}

{{- define "invoiceapp.secretsDir" -}}/run/secrets/invoiceapp{{- end }}

{{/* The settings' variables from config.*: the key in UPPER_SNAKE_CASE; "" leaves it unset. */}}
{{- define "invoiceapp.settings" -}}
{{- $data := dict }}
{{- range $key, $value := .Values.config }}
{{- if kindIs "bool" $value }}
{{- $_ := set $data ($key | snakecase | upper) (ternary "true" "false" $value) }}
{{- else if or (kindIs "float64" $value) (kindIs "int64" $value) (kindIs "int" $value) }}
{{- /* Helm reads numbers as float64: print integers as integers (31536000, not 3.1536e+07). */}}
{{- $_ := set $data ($key | snakecase | upper) (printf "%d" (int64 $value)) }}
{{- else if $value }}
{{- $_ := set $data ($key | snakecase | upper) (toString $value) }}
{{- end }}
{{- end }}
{{- if not .Values.config.anymailSettings }}
{{- $anymail := list }}
{{- range (include "invoiceapp.secretFiles" . | fromYamlArray) }}
{{- if hasPrefix "ANYMAIL_" .env }}
{{- $anymail = append $anymail .env }}
{{- end }}
{{- end }}
{{- if $anymail }}
{{- $_ := set $data "ANYMAIL_SETTINGS" (join "," $anymail) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
Settings given as plain container env values instead of ConfigMap keys: token lifetimes and the webhook
secrets' grace period, in seconds, not secrets, but secret scanners (trivy KSV-0109) take any ConfigMap key
containing "TOKEN" or "SECRET" for one.
*/}}
{{- define "invoiceapp.envOutsideConfigMap" -}}
{{- list "JWT_ACCESS_TOKEN_SECONDS" "JWT_REFRESH_TOKEN_SECONDS" "WEBHOOK_SECRET_GRACE_SECONDS" | toYaml }}
{{- end }}

{{- define "invoiceapp.configData" -}}
{{- $data := include "invoiceapp.settings" . | fromYaml }}
{{- range include "invoiceapp.envOutsideConfigMap" . | fromYamlArray }}
{{- $_ := unset $data . }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
The pod spec every role shares: (dict "root" $ "role" "render" "values" .Values.render
"container" <extra container YAML: ports and probes> "extraEnv" <list of name/value>
"restartPolicy" "Never" "args" <list of strings after the role>)
*/}}
{{- define "invoiceapp.podSpec" -}}
{{- $root := .root }}
{{- $files := include "invoiceapp.podSecretFiles" . | fromYamlArray }}
{{- $bySecret := dict }}
{{- range $files }}
{{- $_ := set $bySecret .secret (append (get $bySecret .secret | default list) (dict "key" .key "path" .env)) }}
{{- end }}
serviceAccountName: {{ include "invoiceapp.serviceAccountName" $root }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .restartPolicy }}
restartPolicy: {{ . }}
{{- end }}
{{- with .values.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .role }}
    image: {{ include "invoiceapp.image" $root | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args: {{ prepend (.args | default list) .role | toJson }}
    envFrom:
      - configMapRef:
          name: {{ include "invoiceapp.fullname" $root }}
    env:
      {{- $settings := include "invoiceapp.settings" $root | fromYaml }}
      {{- range $name := include "invoiceapp.envOutsideConfigMap" $root | fromYamlArray }}
      {{- if hasKey $settings $name }}
      - name: {{ $name }}
        value: {{ get $settings $name | quote }}
      {{- end }}
      {{- end }}
      {{- range .extraEnv }}
      - name: {{ .name }}
        value: {{ .value | quote }}
      {{- end }}
      {{- range $files }}
      - name: {{ .env }}_FILE
        value: {{ printf "%s/%s" (include "invoiceapp.secretsDir" $root) .env | quote }}
      {{- end }}
    {{- with .container }}
    {{- . | nindent 4 }}
    {{- end }}
    resources:
      {{- toYaml .values.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: secrets
        mountPath: {{ include "invoiceapp.secretsDir" $root }}
        readOnly: true
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .values.tmpSizeLimit }}
  - name: secrets
    projected:
      defaultMode: 288  # 0440: readable by the pod's group (fsGroup), nobody else
      sources:
        {{- range $name := keys $bySecret | sortAlpha }}
        - secret:
            name: {{ $name }}
            items:
              {{- toYaml (get $bySecret $name) | nindent 14 }}
        {{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when the settings change. */}}
{{- define "invoiceapp.checksums" -}}
checksum/config: {{ include "invoiceapp.settings" . | sha256sum }}
checksum/secrets: {{ toJson (list .Values.secrets .Values.anymailSecrets .Values.existingSecret .Values.existingSecretKeys .Values.secretRefs) | sha256sum }}
{{- end }}

{{/* Hook annotations of what the pre-install migration Job needs before the release's objects exist. */}}
{{- define "invoiceapp.preInstallObjectAnnotations" -}}
# The migration Job is a pre-install hook: what it mounts must exist before it, so this is a hook too
# (recreated on each install, upgrade and rollback; helm uninstall leaves it behind).
helm.sh/hook: pre-install,pre-upgrade,pre-rollback
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end }}

{{/*
The public internet as NetworkPolicyPeers: every IPv4 and IPv6 address except loopback, the private
ranges (RFC 1918, unique local), link-local (with the cloud metadata address 169.254.169.254), CGNAT
(100.64.0.0/10, which some clusters use for pods and services), multicast, and IPv6's spellings of IPv4.
*/}}
{{- define "invoiceapp.publicAddresses" -}}
- ipBlock:
    cidr: 0.0.0.0/0
    except:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 169.254.0.0/16
      - 100.64.0.0/10
      - 127.0.0.0/8
- ipBlock:
    cidr: ::/0
    except:
      - ::1/128
      - ::ffff:0:0/96
      - 64:ff9b::/96
      - fc00::/7
      - fe80::/10
      - ff00::/8
{{- end }}
