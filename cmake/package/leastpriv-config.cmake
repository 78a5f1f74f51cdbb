# leastpriv's CMake package (installed to lib/cmake/leastpriv). After
# find_package(leastpriv):
#
#   leastpriv::leastpriv        the installed binary (an imported executable)
#   LEASTPRIV_EXECUTABLE        its path
#   leastpriv_add_test(NAME n COMMAND cmd [args...] [PROFILE p]
#                      [RUN_OPTIONS opt...] [any other add_test() argument])
#                               one test under `leastpriv run`
#   LEASTPRIV_WRAP_TESTS=ON     (set before find_package, or -D) every
#                               add_test() of the project from then on runs
#                               under `leastpriv run`; a test that cannot be
#                               wrapped stops the configure with an error
#
# Each wrapped test gets LEASTPRIV_TEST_NAME=<its name> (ENVIRONMENT), which
# leastpriv records with each finding.
# Read at each add_test(): LEASTPRIV_PROFILE (a name or an absolute path),
# LEASTPRIV_RUN_OPTIONS (a list, e.g. --fail-on-findings),
# LEASTPRIV_FINDINGS_DIR and LEASTPRIV_SARIF_DIR (one DIR/<test>.jsonl or
# .sarif per test), LEASTPRIV_LEARN_OUTPUT (an absolute path: the tests
# run under `leastpriv learn --merge -o PATH` instead, all learning into
# that one profile, LEASTPRIV_PROFILE being the base).
# set(LEASTPRIV_WRAP_TESTS OFF) in a directory leaves the add_test() calls
# made there as they are, on purpose.
#
# Why add_test() itself is wrapped: CMake runs a test under
# CMAKE_CROSSCOMPILING_EMULATOR (and, from 3.29, CMAKE_TEST_LAUNCHER) only
# when its command names an executable target. add_test(NAME n COMMAND
# ${dir}/prog), $<TARGET_FILE:prog> and the old add_test(n prog) form all
# run bare, silently, and under CMP0158 (a project requiring 3.29) the
# emulator is dropped when not cross compiling. So the command line is rewritten instead, and at the end of
# the configure every test of the tree is checked to be wrapped.
if(CMAKE_VERSION VERSION_LESS 3.19)
  set(leastpriv_FOUND FALSE)
  set(leastpriv_NOT_FOUND_MESSAGE
      "leastpriv's CMake package needs CMake 3.19 or later (cmake_language(DEFER)); this is ${CMAKE_VERSION}")
  return()
endif()

# find_package() gives this file a policy scope of its own; the functions
# below keep the settings they were defined with.
cmake_policy(VERSION 3.19)

include(${CMAKE_CURRENT_LIST_DIR}/leastpriv-targets.cmake)
get_target_property(LEASTPRIV_EXECUTABLE leastpriv::leastpriv LOCATION)
# The imported target is seen only below the directory that found it; the
# path serves add_test() calls anywhere in the tree.
set_property(GLOBAL PROPERTY LEASTPRIV_EXECUTABLE "${LEASTPRIV_EXECUTABLE}")
option(LEASTPRIV_WRAP_TESTS "Run every add_test() under leastpriv run" OFF)

# Found again (another directory): the functions stay as first defined.
# Defining add_test() twice would make _add_test() call the first
# definition, and so itself, forever.
get_property(_leastpriv_defined GLOBAL PROPERTY _LEASTPRIV_FUNCTIONS_DEFINED)
if(NOT _leastpriv_defined)
set_property(GLOBAL PROPERTY _LEASTPRIV_FUNCTIONS_DEFINED TRUE)

# A value as CMake source text, kept exactly (semicolons, empty strings):
# the wrapped add_test() call is evaluated, never expanded from a list.
function(_leastpriv_quote out value)
  if(value MATCHES "\\]==\\]")
    message(FATAL_ERROR "leastpriv: an add_test() argument contains ']==]': ${value}")
  endif()
  set(${out} "${${out}} [==[${value}]==]" PARENT_SCOPE)
endfunction()

# The command's first word as `leastpriv run` must be given it. CMake
# itself turns an executable target's name into its path (and prepends
# its emulator) only when the word is the first of the test's command,
# which under leastpriv it no longer is.
function(_leastpriv_program name word out)
  set(${out} "" PARENT_SCOPE)
  if(word MATCHES "\\$<" OR word MATCHES "/")
    _leastpriv_quote(text "${word}") # a generator expression or a path
    set(${out} "${text}" PARENT_SCOPE)
    return()
  endif()
  if(TARGET "${word}")
    get_target_property(type "${word}" TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(text "")
      get_target_property(emulator "${word}" CROSSCOMPILING_EMULATOR)
      if(emulator)
        foreach(part IN LISTS emulator)
          _leastpriv_quote(text "${part}")
        endforeach()
      endif()
      _leastpriv_quote(text "$<TARGET_FILE:${word}>")
      set(${out} "${text}" PARENT_SCOPE)
      return()
    endif()
  endif()
  # A bare word: ctest would look for it in the build tree, leastpriv only
  # in PATH. Checked once every target exists (_leastpriv_check_tests).
  set_property(GLOBAL APPEND PROPERTY _LEASTPRIV_BARE_WORDS
               "${CMAKE_CURRENT_SOURCE_DIR}|${name}|${word}")
  _leastpriv_quote(text "${word}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# `leastpriv run [-p P] [--findings F] [--sarif S] [OPTIONS] --` as text
# (`leastpriv learn --merge -o OUT ...` with LEASTPRIV_LEARN_OUTPUT).
function(_leastpriv_run_prefix name profile run_options out)
  get_property(exe GLOBAL PROPERTY LEASTPRIV_EXECUTABLE)
  set(prefix "${exe}" run)
  if(LEASTPRIV_LEARN_OUTPUT)
    if(NOT IS_ABSOLUTE "${LEASTPRIV_LEARN_OUTPUT}")
      message(FATAL_ERROR "leastpriv: LEASTPRIV_LEARN_OUTPUT must be an absolute path "
                          "(each test runs in a directory of its own): ${LEASTPRIV_LEARN_OUTPUT}")
    endif()
    set(prefix "${exe}" learn --merge -o "${LEASTPRIV_LEARN_OUTPUT}")
  endif()
  if(profile)
    list(APPEND prefix -p "${profile}")
  endif()
  string(REGEX REPLACE "[^A-Za-z0-9._-]" "_" file "${name}")
  if(LEASTPRIV_FINDINGS_DIR)
    file(MAKE_DIRECTORY "${LEASTPRIV_FINDINGS_DIR}")
    list(APPEND prefix --findings "${LEASTPRIV_FINDINGS_DIR}/${file}.jsonl")
  endif()
  if(LEASTPRIV_SARIF_DIR AND NOT LEASTPRIV_LEARN_OUTPUT) # learn writes no SARIF
    file(MAKE_DIRECTORY "${LEASTPRIV_SARIF_DIR}")
    list(APPEND prefix --sarif "${LEASTPRIV_SARIF_DIR}/${file}.sarif")
  endif()
  list(APPEND prefix ${run_options} --)
  set(text "")
  foreach(part IN LISTS prefix)
    _leastpriv_quote(text "${part}")
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Splits the arguments the caller copied to _lp_arg0.._lp_arg<N-1> as
# CMake splits add_test(NAME ...): the name, the command's first word, the
# rest of the command and the other arguments (CONFIGURATIONS,
# WORKING_DIRECTORY, COMMAND_EXPAND_LISTS) as source text; PROFILE and
# RUN_OPTIONS are leastpriv_add_test()'s. The old form add_test(n cmd
# args...) is split as if it were add_test(NAME n COMMAND cmd args...).
function(_leastpriv_split n own_keywords)
  set(name "")
  set(word "")
  set(args_text "")
  set(rest_text "")
  set(profile "${LEASTPRIV_PROFILE}")
  set(run_options ${LEASTPRIV_RUN_OPTIONS})
  set(keywords NAME COMMAND CONFIGURATIONS WORKING_DIRECTORY COMMAND_EXPAND_LISTS)
  if(own_keywords) # leastpriv_add_test()'s; add_test() passes them on as they are
    list(APPEND keywords PROFILE RUN_OPTIONS)
  endif()
  set(i 0)
  set(old_form FALSE)
  set(part "")
  if(NOT _lp_arg0 STREQUAL "NAME") # the old form takes no keyword at all
    set(old_form TRUE)
    set(name "${_lp_arg0}")
    set(part COMMAND)
    set(i 1)
  endif()
  while(i LESS n)
    set(arg "${_lp_arg${i}}")
    math(EXPR i "${i} + 1")
    if(NOT old_form AND arg IN_LIST keywords)
      set(part "${arg}")
      if(NOT arg MATCHES "^(NAME|COMMAND|PROFILE|RUN_OPTIONS)$")
        _leastpriv_quote(rest_text "${arg}")
      endif()
    elseif(part STREQUAL "NAME")
      set(name "${arg}")
    elseif(part STREQUAL "COMMAND" AND word STREQUAL "")
      set(word "${arg}")
    elseif(part STREQUAL "COMMAND")
      _leastpriv_quote(args_text "${arg}")
    elseif(part STREQUAL "PROFILE")
      set(profile "${arg}")
    elseif(part STREQUAL "RUN_OPTIONS")
      list(APPEND run_options "${arg}")
    else()
      _leastpriv_quote(rest_text "${arg}")
    endif()
  endwhile()
  if(name STREQUAL "" OR word STREQUAL "")
    message(FATAL_ERROR "leastpriv: a test needs NAME <name> COMMAND <command> [args...]")
  endif()
  foreach(var name word args_text rest_text profile run_options old_form)
    set(${var} "${${var}}" PARENT_SCOPE)
  endforeach()
endfunction()

# Adds the test the caller split (_leastpriv_split) under `leastpriv run`.
function(_leastpriv_add_wrapped)
  _leastpriv_program("${name}" "${word}" program_text)
  _leastpriv_run_prefix("${name}" "${profile}" "${run_options}" prefix_text)
  get_property(wrapping GLOBAL PROPERTY _LEASTPRIV_WRAPPING)
  set(add_test add_test)
  if(wrapping)
    set(add_test _add_test) # the original, not the wrapper below
  endif()
  set(name_text "")
  _leastpriv_quote(name_text "${name}")
  if(old_form AND NOT program_text MATCHES "TARGET_FILE")
    set(call "${add_test}(${name_text}${prefix_text}${program_text}${args_text})")
  elseif(old_form AND args_text MATCHES "\\[==\\[(CONFIGURATIONS|WORKING_DIRECTORY|COMMAND_EXPAND_LISTS)\\]==\\]")
    # A target's path needs a generator expression, which only the NAME
    # form evaluates, and there this argument would be a keyword.
    message(FATAL_ERROR
      "leastpriv: add_test(${name} ${word} ...) passes '${CMAKE_MATCH_1}' to a target: "
      "write it add_test(NAME ${name} COMMAND ${word} ...) to have it wrapped")
  else()
    set(call "${add_test}(NAME${name_text} COMMAND${prefix_text}${program_text}${args_text}${rest_text})")
  endif()
  cmake_language(EVAL CODE "${call}")
  # Each finding names its test (`leastpriv run --append` gathers many
  # tests' findings in one file); ctest itself tells a test nothing of its
  # name. The environment, not --test-name: the command stays as written.
  # A later set_tests_properties(... ENVIRONMENT ...) replaces it.
  string(REPLACE ";" "\\;" env_name "${name}")
  set_property(TEST "${name}" APPEND PROPERTY ENVIRONMENT "LEASTPRIV_TEST_NAME=${env_name}")
  set_property(GLOBAL APPEND PROPERTY _LEASTPRIV_SEEN_TESTS "${CMAKE_CURRENT_SOURCE_DIR}|${name}")
endfunction()

# leastpriv_add_test(NAME n COMMAND cmd [args...] [PROFILE p]
#                    [RUN_OPTIONS opt...] [CONFIGURATIONS ...]
#                    [WORKING_DIRECTORY dir] [COMMAND_EXPAND_LISTS])
function(leastpriv_add_test)
  if(NOT ARGV0 STREQUAL "NAME")
    message(FATAL_ERROR "leastpriv_add_test() needs NAME <name> COMMAND <command> [args...]")
  endif()
  foreach(i RANGE ${ARGC}) # copied for _leastpriv_split, every value intact
    set(_lp_arg${i} "${ARGV${i}}")
  endforeach()
  _leastpriv_split(${ARGC} TRUE)
  _leastpriv_add_wrapped()
endfunction()

# Every test of the tree, once every directory is configured: each must
# have come through the wrapper (or been left bare on purpose), and each
# bare program word must name what leastpriv will find.
function(_leastpriv_check_directory dir)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _leastpriv_check_directory("${sub}")
  endforeach()
  get_directory_property(wrap DIRECTORY "${dir}" DEFINITION LEASTPRIV_WRAP_TESTS)
  if(NOT wrap)
    return() # switched off here: its tests run bare on purpose
  endif()
  get_property(seen GLOBAL PROPERTY _LEASTPRIV_SEEN_TESTS)
  get_property(exe GLOBAL PROPERTY LEASTPRIV_EXECUTABLE)
  get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
  foreach(test IN LISTS tests)
    if(NOT "${dir}|${test}" IN_LIST seen)
      message(SEND_ERROR
        "leastpriv: test '${test}' (${dir}) was added before find_package(leastpriv), "
        "so LEASTPRIV_WRAP_TESTS cannot wrap it and it would run without leastpriv. "
        "Call find_package(leastpriv) before the first add_test(), or "
        "set(LEASTPRIV_WRAP_TESTS OFF) in a directory whose tests are meant to run bare.")
    endif()
  endforeach()
  get_property(includes DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES)
  if(includes)
    message(SEND_ERROR
      "leastpriv: ${dir} adds tests when ctest runs (TEST_INCLUDE_FILES: ${includes}, "
      "e.g. gtest_discover_tests()), which LEASTPRIV_WRAP_TESTS cannot wrap. "
      "Use gtest_add_tests() there, or set(LEASTPRIV_WRAP_TESTS OFF) in that directory "
      "and set the target's CROSSCOMPILING_EMULATOR to \"${exe};run;--\".")
  endif()
endfunction()

function(_leastpriv_check_bare_words)
  get_property(words GLOBAL PROPERTY _LEASTPRIV_BARE_WORDS)
  foreach(entry IN LISTS words)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 dir)
    list(GET fields 1 test)
    list(GET fields 2 word)
    if(TARGET "${word}")
      message(SEND_ERROR
        "leastpriv: test '${test}' (${dir}) runs '${word}', a target defined after "
        "its add_test(): leastpriv cannot give it the target's path. Define the "
        "target first, or write COMMAND $<TARGET_FILE:${word}>.")
      continue()
    endif()
    find_program(_leastpriv_found "${word}" NO_CACHE)
    if(NOT _leastpriv_found)
      message(SEND_ERROR
        "leastpriv: test '${test}' (${dir}) runs '${word}', which is neither a target "
        "nor a program in PATH: ctest would look for it in the build tree, leastpriv "
        "run looks only in PATH. Give its path (\${CMAKE_CURRENT_BINARY_DIR}/${word}).")
    endif()
  endforeach()
endfunction()

function(_leastpriv_check_tests)
  _leastpriv_check_directory("${CMAKE_SOURCE_DIR}")
  _leastpriv_check_bare_words()
endfunction()

function(_leastpriv_wrap_every_test)
  get_property(wrapping GLOBAL PROPERTY _LEASTPRIV_WRAPPING)
  if(wrapping)
    return()
  endif()
  set_property(GLOBAL PROPERTY _LEASTPRIV_WRAPPING TRUE)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _leastpriv_check_tests)

  # Both signatures: add_test(NAME n COMMAND cmd ...) and the old
  # add_test(n cmd args...), which becomes the first (the old form takes
  # no target name and no generator expression, so leastpriv could not be
  # given the program's path).
  function(add_test)
    foreach(i RANGE ${ARGC}) # copied for _leastpriv_split, every value intact
      set(_lp_arg${i} "${ARGV${i}}")
    endforeach()
    if(LEASTPRIV_WRAP_TESTS)
      _leastpriv_split(${ARGC} FALSE)
      _leastpriv_add_wrapped()
      return()
    endif()
    # Left bare on purpose (switched off in this directory).
    set(text "")
    foreach(i RANGE ${ARGC})
      if(i LESS ARGC)
        _leastpriv_quote(text "${ARGV${i}}")
      endif()
    endforeach()
    cmake_language(EVAL CODE "_add_test(${text})")
    set(name "${ARGV0}")
    if(ARGV0 STREQUAL "NAME")
      set(name "${ARGV1}")
    endif()
    set_property(GLOBAL APPEND PROPERTY _LEASTPRIV_SEEN_TESTS "${CMAKE_CURRENT_SOURCE_DIR}|${name}")
  endfunction()
endfunction()

endif() # NOT _leastpriv_defined

if(LEASTPRIV_WRAP_TESTS)
  _leastpriv_wrap_every_test()
endif()
