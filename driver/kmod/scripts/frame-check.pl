#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
# Stack frames of an arm64 object, from `objdump -d` (GNU or LLVM syntax) on stdin: per
# function, the pre-index store of the frame record plus every `sub sp, sp, #n` and the
# stack-probe bound `sub x9, sp, #n, lsl #12`. Prints the five largest ("bytes function");
# exits 1 when one exceeds the limit given as the argument (the kernel's CONFIG_FRAME_WARN;
# 0: no limit). rustc has no -Wframe-larger-than, so the Kbuild runs this on the Rust object.
use strict;
use warnings;

my $limit = shift // 0;
my (%frame, $fn);
sub num { my ($v) = @_; return $v =~ /^0x/i ? hex($v) : $v; }
while (<STDIN>) {
    if (/^[0-9a-f]+ <(.+)>:$/) { $fn = $1; $frame{$fn} = 0; next; }
    next unless defined $fn;
    if (/\bstp\s+x29,\s*x30,\s*\[sp,\s*#-(0x[0-9a-f]+|\d+)\]!/i) { $frame{$fn} += num($1); next; }
    if (/\bsub\s+sp,\s*sp,\s*#(0x[0-9a-f]+|\d+)(,\s*lsl\s*#12)?/i) {
        $frame{$fn} += $2 ? num($1) << 12 : num($1);
        next;
    }
    if (/\bsub\s+x9,\s*sp,\s*#(0x[0-9a-f]+|\d+),\s*lsl\s*#12/i) { $frame{$fn} += num($1) << 12; }
}
my @big = sort { $frame{$b} <=> $frame{$a} } keys %frame;
printf "%d %s\n", $frame{$_}, $_ for @big[0 .. ($#big < 4 ? $#big : 4)];
my @over = grep { $limit > 0 && $frame{$_} > $limit } @big;
printf STDERR "frame-check: %d-byte frame over the %d-byte limit: %s\n", $frame{$_}, $limit, $_
    for @over;
exit(@over ? 1 : 0);
