package keystroke

// linuxClass maps Linux input key codes (linux/input-event-codes.h,
// KEY_*) below 256 to their class; codes not listed are ClassOther.
var linuxClass = func() (t [256]Class) {
	set := func(c Class, codes ...int) {
		for _, k := range codes {
			t[k] = c
		}
	}
	// Letters: KEY_Q..KEY_P, KEY_A..KEY_L, KEY_Z..KEY_M.
	for k := 16; k <= 25; k++ {
		t[k] = ClassLetter
	}
	for k := 30; k <= 38; k++ {
		t[k] = ClassLetter
	}
	for k := 44; k <= 50; k++ {
		t[k] = ClassLetter
	}
	// Digits: KEY_1..KEY_0 and the keypad digits.
	for k := 2; k <= 11; k++ {
		t[k] = ClassDigit
	}
	set(ClassDigit, 71, 72, 73, 75, 76, 77, 79, 80, 81, 82)
	set(ClassSpace, 57)
	set(ClassEnter, 28, 96)                                   // KEY_ENTER, KEY_KPENTER
	set(ClassBackspace, 14, 111)                              // KEY_BACKSPACE, KEY_DELETE
	set(ClassModifier, 29, 42, 54, 56, 58, 97, 100, 125, 126) // ctrl, shifts, alts, caps lock, metas
	set(ClassNavigation,
		1,                  // KEY_ESC
		15,                 // KEY_TAB
		102, 103, 104, 105, // home, up, page up, left
		106, 107, 108, 109, // right, end, down, page down
		110) // insert
	set(ClassPunctuation,
		12, 13, // minus, equal
		26, 27, // brackets
		39, 40, 41, 43, // semicolon, apostrophe, grave, backslash
		51, 52, 53, // comma, dot, slash
		55, 74, 78, 83, 98, 117, 121, // keypad * - + . / = ,
		86) // KEY_102ND
	// Function keys: F1–F10, F11, F12, F13–F24.
	for k := 59; k <= 68; k++ {
		t[k] = ClassFunction
	}
	set(ClassFunction, 87, 88)
	for k := 183; k <= 194; k++ {
		t[k] = ClassFunction
	}
	return t
}()

// ClassOfLinux returns the class of a Linux input key code (KEY_*, as
// evdev reports it; X11 keycodes on Linux are these plus 8).
func ClassOfLinux(code uint16) Class {
	if int(code) < len(linuxClass) {
		return linuxClass[code]
	}
	return ClassOther
}
