S I am software engineer at a bank .
A 2 2|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0
A 2 2|||ArtOrDet|||a|||REQUIRED|||-NONE-|||1

S She gave me an useful advices .
A 3 4|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0
A 5 6|||Nn|||advice|||REQUIRED|||-NONE-|||0
A 3 4|||ArtOrDet||||||REQUIRED|||-NONE-|||1

S The team ships every week .
A -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0

S We have lot of the experience in the society .
A 2 2|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0
A 4 5|||ArtOrDet||||||REQUIRED|||-NONE-|||1
A 7 8|||ArtOrDet||||||REQUIRED|||-NONE-|||1

S It was the Facebook that changed it .
A 2 3|||Wci|||on|||REQUIRED|||-NONE-|||0

S I met him in the same time .
A 3 4|||Prep|||at|||REQUIRED|||-NONE-|||0
