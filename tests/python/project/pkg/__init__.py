# A regular package, for ORK_MODULE=pkg.mod.
