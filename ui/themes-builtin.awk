# Turns the theme files into a C table of built-in themes, so that maintop
# draws properly even when its data directory is not installed.
BEGIN { print "/* Generated from the files in themes/ by ui/themes-builtin.awk: do not edit. */"
	print "#include <stddef.h>"
	print "#include \"theme.h\""
	print "const struct theme_builtin theme_builtins[] = {" }
FNR == 1 { if (NR > 1) print "\t\"\" },"
	name = FILENAME; sub(/.*\//, "", name); sub(/\.conf$/, "", name)
	printf "\t{ \"%s\",\n", name }
{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "\t\"%s\\n\"\n", $0 }
END { if (NR > 0) print "\t\"\" },"
	print "\t{ NULL, NULL }"
	print "};" }
