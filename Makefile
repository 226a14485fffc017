# SAM makefile builds (BuildMethod: makefile): each target bundles one function with the
# project's single esbuild configuration (build/build.mjs). Run `npm ci` once before `sam build`.

BUILD = node build/build.mjs

build-StartRunFunction:
	$(BUILD) --only start-run --outdir "$(ARTIFACTS_DIR)"

build-ResolveTargetsFunction:
	$(BUILD) --only resolve-targets --outdir "$(ARTIFACTS_DIR)"

build-RunDiagnosticFunction:
	$(BUILD) --only run-diagnostic --outdir "$(ARTIFACTS_DIR)"

build-WriteReportFunction:
	$(BUILD) --only write-report --outdir "$(ARTIFACTS_DIR)"

build-CheckReadinessFunction:
	$(BUILD) --only check-readiness --outdir "$(ARTIFACTS_DIR)"

.PHONY: build-CheckReadinessFunction build-StartRunFunction build-ResolveTargetsFunction build-RunDiagnosticFunction build-WriteReportFunction
