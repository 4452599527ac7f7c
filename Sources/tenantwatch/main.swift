import TenantWatchCore
print("tenantwatch")
