// placeholder: replaced by the real CLI below
console.log('rampart');
