{{/* The chart's name, at most 63 characters. */}}
{{- define "paas-incident-bot.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's name for its objects. */}}
{{- define "paas-incident-bot.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "paas-incident-bot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "paas-incident-bot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "paas-incident-bot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "paas-incident-bot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "paas-incident-bot.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The claim SQLite mode keeps its database on. */}}
{{- define "paas-incident-bot.claim" -}}
{{- default (printf "%s-data" (include "paas-incident-bot.fullname" .)) .Values.database.sqlite.persistence.existingClaim -}}
{{- end -}}

{{/*
What the chart refuses to render: SQLite with more than one replica (the
bot locks its database file, and two would fight over one volume),
PostgreSQL without its Secret or with more replicas than the bot supports,
and no Secret for the Slack tokens.
*/}}
{{- define "paas-incident-bot.validate" -}}
{{- $mode := .Values.database.mode -}}
{{- if not (has $mode (list "sqlite" "postgres")) -}}
{{- fail (printf "database.mode must be sqlite or postgres, not %q" $mode) -}}
{{- end -}}
{{- if and (eq $mode "sqlite") (gt (int .Values.replicaCount) 1) -}}
{{- fail "database.mode sqlite runs exactly one replica: set replicaCount: 1, or use database.mode postgres for more" -}}
{{- end -}}
{{- if and (eq $mode "postgres") (gt (int .Values.replicaCount) 9) -}}
{{- fail "database.mode postgres runs at most 9 replicas" -}}
{{- end -}}
{{- if and (eq $mode "postgres") (not .Values.database.postgres.existingSecret) -}}
{{- fail "database.mode postgres needs database.postgres.existingSecret: a Secret holding DATABASE_URL" -}}
{{- end -}}
{{- if not .Values.secrets.existingSecret -}}
{{- fail "secrets.existingSecret must name a Secret holding SLACK_BOT_TOKEN and SLACK_APP_TOKEN" -}}
{{- end -}}
{{- end -}}
