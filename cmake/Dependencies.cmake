# Finds each library through pkg-config and names the Debian package that
# provides it when it is missing, so a fresh machine gets a fix, not a puzzle.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install -y pkg-config")
endif()

function(lp_require target module debian_package)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR
      "${module} not found through pkg-config: apt-get install -y ${debian_package}")
  endif()
  message(STATUS "Found ${module} ${${target}_VERSION}")
endfunction()

lp_require(SECCOMP libseccomp libseccomp-dev)
lp_require(CAPNG libcap-ng libcap-ng-dev)
lp_require(NL3 libnl-3.0 libnl-3-dev)
lp_require(NLROUTE3 libnl-route-3.0 libnl-route-3-dev)
if(LP_TESTS)
  lp_require(CMOCKA cmocka libcmocka-dev)
endif()
