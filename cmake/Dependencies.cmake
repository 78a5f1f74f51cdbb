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
lp_require(JSONC json-c libjson-c-dev)
if(LP_TESTS)
  lp_require(CMOCKA cmocka libcmocka-dev)
endif()

# Linked statically where Debian's -dev packages install the .a (they do):
# a launch then skips the dynamic loader's work for four libraries, about
# 0.5 ms of the run's own CPU time (README, "Performance"). Four are
# LGPL-2.1 (json-c is MIT); leastpriv's sources are published, which is
# what the LGPL asks of a program that links them statically (it can be
# relinked).
option(LP_STATIC_DEPS "Link libseccomp, libcap-ng, libnl and json-c statically where their .a is installed" ON)

function(lp_link_dependencies target)
  set(archives)
  if(LP_STATIC_DEPS)
    # libnl-route-3 before libnl-3, which it uses.
    foreach(name seccomp cap-ng nl-route-3 nl-3 json-c)
      find_library(LP_ARCHIVE_${name} NAMES lib${name}.a)
      if(NOT LP_ARCHIVE_${name})
        message(STATUS "lib${name}.a not found: linking the shared libraries")
        set(archives)
        break()
      endif()
      list(APPEND archives ${LP_ARCHIVE_${name}})
    endforeach()
  endif()
  if(archives)
    message(STATUS "Linking statically: ${archives}")
    target_include_directories(${target} PUBLIC ${SECCOMP_INCLUDE_DIRS} ${CAPNG_INCLUDE_DIRS}
                               ${NL3_INCLUDE_DIRS} ${NLROUTE3_INCLUDE_DIRS} ${JSONC_INCLUDE_DIRS})
    target_link_libraries(${target} PUBLIC ${archives} pthread m)
  else()
    target_link_libraries(${target} PUBLIC PkgConfig::SECCOMP PkgConfig::CAPNG
                          PkgConfig::NL3 PkgConfig::NLROUTE3 PkgConfig::JSONC)
  endif()
endfunction()
