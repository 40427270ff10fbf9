#ifndef CBRAIN_DIRECT_IO_H
#define CBRAIN_DIRECT_IO_H

/// The platform's O_DIRECT open flag (hidden from Swift behind _GNU_SOURCE), or 0 where
/// there is none.
int cbrain_o_direct_flag(void);

#endif
