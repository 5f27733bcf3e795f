// An extraction worker that cannot load (as a missing dependency would): no mail is to blame for it.
throw new Error("this worker cannot load");
