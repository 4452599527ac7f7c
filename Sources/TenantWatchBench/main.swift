import TenantWatchCore
print("bench")
