#!/usr/bin/env bash
# Rebuilds voice_service/static/govuk/ from the pinned GOV.UK Frontend release (6.3.0, the release
# govuk-frontend-jinja 4.1.0 targets). Run only when upgrading; the build output is committed so
# nothing downloads at run time. Needs node and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund govuk-frontend@6.3.0 sass@1.93.2 >/dev/null
cp "$here/voice_service/static/govuk/app.scss" app.scss
npx sass --pkg-importer=node --style=compressed --no-source-map --quiet app.scss "$here/voice_service/static/govuk/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$here/voice_service/static/govuk/"
cp node_modules/govuk-frontend/dist/govuk/assets/images/favicon.{ico,svg} "$here/voice_service/static/govuk/assets/images/"
echo "GOV.UK Frontend 6.3.0 rebuilt into voice_service/static/govuk/"
