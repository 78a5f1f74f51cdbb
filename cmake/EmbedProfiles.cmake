# Writes OUT: a C array of {name, text} for every file in PROFILES.
# Run by CMake at build time (cmake -P), so no text is ever hand-copied.
set(body "/* Generated from profiles/*.profile by cmake/EmbedProfiles.cmake. */\n")
string(APPEND body "#include \"embedded.h\"\n\n")
set(table "const struct lp_embedded_profile lp_embedded_profiles[] = {\n")
set(index 0)
list(SORT PROFILES)
foreach(path IN LISTS PROFILES)
  get_filename_component(name ${path} NAME_WE)
  file(READ ${path} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char profile_${index}[] = {${hex} 0x00};\n")
  string(APPEND table "        { \"${name}\", profile_${index} },\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND table "        { 0, 0 },\n};\n")
file(WRITE ${OUT}.tmp "${body}\n${table}")
# Replace only when changed, so an unchanged profile set rebuilds nothing.
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
