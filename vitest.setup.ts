import fc from 'fast-check';

// An array's maxLength is what a property test means to explore: without this, fast-check's default
// size ('small') stops every array at about 10 elements, whatever maxLength says.
fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });
