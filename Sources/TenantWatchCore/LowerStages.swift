// The stages below this module, re-exported: the dashboard, the executable, the bench and the
// fuzz package (which depends on the `TenantWatchCore` product) keep one `import TenantWatchCore`
// and see the model and SQL types as before the split.
@_exported import TenantWatchModel
@_exported import TenantWatchSQL
